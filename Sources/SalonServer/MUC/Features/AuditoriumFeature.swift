import PersistentChat
import XMPPCore

/// Normal / Auditorium (design §3), a moderated room in XEP-0045 terms. Who posts and whether
/// occupants talk privately there is PersistentChat's (`Rules/MessageRules.swift`).
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

}
