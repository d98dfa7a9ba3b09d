import PersistentChat
import XMPPCore

/// Normal / Auditorium (design §3): in an auditorium only presenters post, and occupants do not
/// talk privately. It is a moderated room in XEP-0045 terms.
struct AuditoriumFeature: RoomFeature {
    func discoFeatures(_ context: RoomContext) -> [String] {
        [context.room.type == .auditorium ? "muc_moderated" : "muc_unmoderated"]
    }

    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("\(MUC.salon)#type", label: "Type", values: [context.room.type.rawValue])]
    }

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [
            .choice("\(MUC.salon)#type", "Type (normal, auditorium)", context.room.type),
            .boolean("muc#roomconfig_moderatedroom", "Moderated: an auditorium, where only presenters post", context.room.type == .auditorium),
        ]
    }

    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        if let type = try form.choice("\(MUC.salon)#type", as: RoomType.self) { edit.type = type }
        edit.moderated = try form.changedFlag("muc#roomconfig_moderatedroom", shown: shown.type == .auditorium)
    }

    func checkPost(_ context: RoomContext, access: RoomAccess) -> StanzaError? {
        guard context.room.type == .auditorium, !access.isPresenter else { return nil }
        return StanzaError(.forbidden, text: "Only presenters post in an auditorium.")
    }

    func checkPrivateMessage(_ context: RoomContext) -> StanzaError? {
        guard context.room.type == .auditorium else { return nil }
        return StanzaError(.notAllowed, text: "Private messages are not allowed in an auditorium.")
    }
}
