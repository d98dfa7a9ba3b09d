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

    /// The persistent-chat field first, then whichever standard question the form changed.
    func apply(_ form: DataForm, to room: inout Room, shown: Room, directory: ChatDirectory) throws(ChatRuleError) {
        let chosen = try form.choice("\(MUC.salon)#privacy", as: RoomPrivacy.self) ?? room.privacy
        let membersOnly = try form.changedFlag("muc#roomconfig_membersonly", shown: shown.privacy.isMembersOnly)
        let listed = try form.changedFlag("muc#roomconfig_publicroom", shown: shown.privacy.isListed)
        guard membersOnly != nil || listed != nil else { return room.privacy = chosen }
        room.privacy = try RoomPrivacy(membersOnly: membersOnly ?? chosen.isMembersOnly, listed: listed ?? chosen.isListed)
    }
}
