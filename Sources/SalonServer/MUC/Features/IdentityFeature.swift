import PersistentChat
import XMPPCore

/// Name and description: muc#roomconfig_roomname / _roomdesc (design §8).
struct IdentityFeature: RoomFeature {
    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("muc#roominfo_description", label: "Description", values: [context.room.description])]
    }

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [
            DataForm.Field("muc#roomconfig_roomname", type: "text-single", label: "Name", values: [context.room.name], required: true),
            DataForm.Field("muc#roomconfig_roomdesc", type: "text-single", label: "Description", values: [context.room.description]),
        ]
    }

    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        if let name = form.values("muc#roomconfig_roomname").first { edit.name = name }
        if let description = form["muc#roomconfig_roomdesc"] { edit.description = description.values.joined(separator: "\n") }
    }
}
