import PersistentChat
import XMPPCore

/// Chat history follows the category (design §2; the rule is PersistentChat's `keepsHistory`):
/// where it is on, posts are archived, the room says it is logged (status 170), joiners get
/// recent history and the archive answers MAM; where it is off, none of that.
struct HistoryFeature: RoomFeature {
    func discoFeatures(_ context: RoomContext) -> [String] {
        keepsHistory(context) ? [MAM.ns, MAM.extended, "urn:xmpp:fulltext:0"] : []
    }

    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("\(MUC.salon)#chat_history", label: "Chat history", values: [keepsHistory(context) ? "1" : "0"])]
    }

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [.boolean("muc#roomconfig_enablearchiving", "Archived (set by the category)", keepsHistory(context))]
    }

    /// A room only repeats its category's setting; `RoomEdit.apply` refuses anything else.
    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        edit.archived = try form.changedFlag("muc#roomconfig_enablearchiving", shown: directory.keepsHistory(shown))
    }

    func joinStatuses(_ context: RoomContext) -> [MUCStatus] {
        keepsHistory(context) ? [.logged] : []
    }

    /// The recent messages the join asked for, each with its original time (XEP-0203).
    func welcome(_ context: RoomContext, joiner: Joiner) -> [XMLElement] {
        guard keepsHistory(context) else { return [] }
        let room = context.jid.description
        return joiner.history.select(joiner.historyRequest).map { entry in
            var message = entry.message
            message[attribute: "to"] = joiner.session.description
            message.append(XMLElement("delay", namespace: NS.delay, attributes: ["from": room, "stamp": Timestamp.format(entry.timestamp)]))
            return message
        }
    }

    func archivesPosts(_ context: RoomContext) -> Bool {
        keepsHistory(context)
    }

    func checkArchiveRead(_ context: RoomContext) throws(ChatRuleError) {
        try ChatDirectory.checkArchiveReadable(in: context.category)
    }

    private func keepsHistory(_ context: RoomContext) -> Bool {
        ChatDirectory.keepsHistory(in: context.category)
    }
}
