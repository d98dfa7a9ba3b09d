import PersistentChat

/// The journal's events for the archive's administrative changes, made the same way by both
/// backends' `ArchiveStore` and written in the transaction of the change they record.
extension ComplianceActor {
    /// ROOM_CLEARED: `count` messages of `room` up to `until` (milliseconds) deleted.
    func roomCleared(_ room: String, until: Int64, count: Int) -> ComplianceEvent {
        .administrative(.roomCleared, time: time, actor: actor, session: session, room: room,
                        what: "messages up to \(until) ms deleted", after: "\(count) messages deleted")
    }

    /// MESSAGE_REMOVED, with the removed message's text.
    func messageRemoved(_ room: String, stanzaID: String?, body: String?) -> ComplianceEvent {
        .administrative(.messageRemoved, time: time, actor: actor, session: session, room: room,
                        what: "message deleted", target: stanzaID, before: body)
    }

    /// MESSAGE_REPLACED, with the old text and the new.
    func messageReplaced(_ room: String, stanzaID: String?, body: String?, replacement: String) -> ComplianceEvent {
        .administrative(.messageReplaced, time: time, actor: actor, session: session, room: room,
                        what: "message replaced", target: stanzaID, before: body, after: replacement)
    }
}
