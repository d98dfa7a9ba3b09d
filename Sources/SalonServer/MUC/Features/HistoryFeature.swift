import PersistentChat
import XMPPCore

/// Chat history follows the category (design §2): when it is on the room is logged (status 170)
/// and joiners get recent history.
struct HistoryFeature: RoomFeature {
    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("\(MUC.salon)#chat_history", label: "Chat history", values: [context.category?.chatHistory == false ? "0" : "1"])]
    }

    func joinStatuses(_ context: RoomContext) -> [MUCStatus] {
        context.category?.chatHistory == false ? [] : [.logged]
    }
}
