import GRDB
import PersistentChat

/// Appends events to the journal inside the caller's transaction, each chained to the one
/// before. The chain's head is read in the same (IMMEDIATE) transaction, so the server and a
/// command line writing at once still make one chain.
enum ComplianceJournalInsert {
    /// Inserts `events` in order; returns the last sequence written (0 when none).
    @discardableResult
    static func insert(_ events: [ComplianceEvent], _ db: Database) throws -> Int64 {
        guard !events.isEmpty else { return 0 }
        let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM compliance_events ORDER BY seq DESC LIMIT 1"))
        var seq: Int64 = head?["seq"] ?? 0
        var previous: String = head?["hash"] ?? ComplianceChain.genesis
        let statement = try db.cachedStatement(sql: """
            INSERT INTO compliance_events (seq, time, type, actor_bare, actor_full, room, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for event in events {
            try event.validate()
            seq += 1
            let hash = ComplianceChain.hash(seq: seq, event, previous: previous)
            try statement.execute(arguments: [seq, event.time, event.type.rawValue, event.actorBare, event.actorFull, event.room,
                                              event.payload, previous, hash])
            previous = hash
        }
        return seq
    }
}

extension ComplianceEvent {
    /// Bounded fields: a payload is at most a stanza plus its description. None holds a NUL
    /// (no stanza can, and PostgreSQL's text cannot), so both backends refuse the same events.
    func validate() throws {
        try InputLimits.checkText(actorBare, "actor", maxBytes: 3 * 1024)
        try InputLimits.checkText(actorFull, "actor session", maxBytes: 3 * 1024, allowEmpty: true)
        try InputLimits.checkText(room, "room", maxBytes: 1024, allowEmpty: true)
        try InputLimits.checkText(payload, "payload", maxBytes: 2 * InputLimits.maxMessageBytes, allowEmpty: true)
        for (text, role) in [(actorBare, "actor"), (actorFull, "actor session"), (room, "room"), (payload, "payload")] {
            try PostgresText.check(text, role)
        }
    }
}
