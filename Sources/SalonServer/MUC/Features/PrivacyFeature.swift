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
        let privacy = context.room.privacy
        return [
            .choice("\(MUC.salon)#privacy", "Privacy (open, closed, secret)", privacy),
            .boolean("muc#roomconfig_membersonly", "Members only (closed or secret)", privacy.isMembersOnly),
            .boolean("muc#roomconfig_publicroom", "Listed in the room directory (open or closed)", privacy.isListed),
        ]
    }

    /// The persistent-chat field, and whichever standard question the form changed (the model
    /// combines them: `RoomEdit.apply`).
    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        if let privacy = try form.choice("\(MUC.salon)#privacy", as: RoomPrivacy.self) { edit.privacy = privacy }
        edit.membersOnly = try form.changedFlag("muc#roomconfig_membersonly", shown: shown.privacy.isMembersOnly)
        edit.listed = try form.changedFlag("muc#roomconfig_publicroom", shown: shown.privacy.isListed)
    }
}
