import PersistentChat
import XMPPCore

/// Open / Closed / Secret (design §3, §8): Open is public and not members-only, Closed is public
/// and members-only, Secret is hidden and members-only.
struct PrivacyFeature: RoomFeature {
    func discoFeatures(_ context: RoomContext) -> [String] {
        let privacy = context.room.privacy
        return [privacy == .secret ? "muc_hidden" : "muc_public", privacy == .open ? "muc_open" : "muc_membersonly"]
    }

    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("\(MUC.salon)#privacy", label: "Privacy", values: [context.room.privacy.rawValue])]
    }

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [.choice("\(MUC.salon)#privacy", "Privacy (open, closed, secret)", context.room.privacy)]
    }

    func apply(_ form: DataForm, to room: inout Room, directory: ChatDirectory) throws(ChatRuleError) {
        if let privacy = try form.choice("\(MUC.salon)#privacy", as: RoomPrivacy.self) { room.privacy = privacy }
    }
}
