import PersistentChat
import XMPPCore

/// Invitations (design §2–3): a room inherits its category's switch or turns it off. Who may
/// invite is PersistentChat's checkMayInvite.
struct InvitationsFeature: RoomFeature {
    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("\(MUC.salon)#invitations", label: "Invitations", values: [context.directory.effectiveInvitations(of: context.room) ? "1" : "0"])]
    }

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [
            .choice("\(MUC.salon)#invitations-setting", "Invitations (inherit from the category, or off)", context.room.invitations),
            .boolean("muc#roomconfig_allowinvites", "Invitations on (members and managers invite, anyone in an Open room; the category may switch them off)",
                     context.directory.effectiveInvitations(of: context.room)),
        ]
    }

    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        if let setting = try form.choice("\(MUC.salon)#invitations-setting", as: RoomInvitations.self) { edit.invitations = setting }
        edit.allowsInvitations = try form.changedFlag("muc#roomconfig_allowinvites", shown: directory.effectiveInvitations(of: shown))
    }
}
