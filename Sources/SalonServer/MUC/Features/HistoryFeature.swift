import PersistentChat
import XMPPCore

/// Chat history follows the category (design §2): when it is on the room is logged (status 170)
/// and joiners get recent history.
struct HistoryFeature: RoomFeature {
    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("\(MUC.salon)#chat_history", label: "Chat history", values: [context.category?.chatHistory == false ? "0" : "1"])]
    }

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [.boolean("muc#roomconfig_enablearchiving", "Archived (set by the category)", context.category?.chatHistory != false)]
    }

    func apply(_ form: DataForm, to room: inout Room, shown: Room, directory: ChatDirectory) throws(ChatRuleError) {
        let shownHistory = directory.category(named: shown.category)?.chatHistory != false
        guard let archived = try form.changedFlag("muc#roomconfig_enablearchiving", shown: shownHistory) else { return }
        try FixedRoomRules.checkHistory(archived, in: directory.category(named: room.category))
    }

    func joinStatuses(_ context: RoomContext) -> [MUCStatus] {
        context.category?.chatHistory == false ? [] : [.logged]
    }
}
