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

    func apply(_ form: DataForm, to room: inout Room, shown: Room, directory: ChatDirectory) throws(ChatRuleError) {
        if let name = form.values("muc#roomconfig_roomname").first { room.name = name }
        if let description = form["muc#roomconfig_roomdesc"] { room.description = description.values.joined(separator: "\n") }
    }
}
