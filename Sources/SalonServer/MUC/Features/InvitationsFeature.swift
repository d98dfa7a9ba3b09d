import PersistentChat
import XMPPCore

/// Invitations (design §2–3): a room inherits its category's switch or turns it off. Only
/// managers invite, and only where invitations are on.
struct InvitationsFeature: RoomFeature {
    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("\(MUC.salon)#invitations", label: "Invitations", values: [context.directory.effectiveInvitations(of: context.room) ? "1" : "0"])]
    }

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [.choice("\(MUC.salon)#invitations-setting", "Invitations (inherit from the category, or off)", context.room.invitations)]
    }

    func apply(_ form: DataForm, to room: inout Room, directory: ChatDirectory) throws(ChatRuleError) {
        if let setting = try form.choice("\(MUC.salon)#invitations-setting", as: RoomInvitations.self) { room.invitations = setting }
    }

    func checkInvite(_ context: RoomContext, access: RoomAccess) -> StanzaError? {
        guard context.directory.effectiveInvitations(of: context.room) else {
            return StanzaError(.notAllowed, text: "Invitations are off for this room.")
        }
        guard access.canManage else { return StanzaError(.forbidden, text: "Only the room's managers invite.") }
        return nil
    }
}
