import GRDB

/// Writes one group commit's personal-archive messages inside the archive writer's transaction
/// (`ArchiveWriter`): each message's copies (the sender's and the recipient's) are kept or
/// dropped by their owner's preferences, read in the same transaction, and the kept ones are
/// inserted with as few statements as possible (FTS5 writes one segment per statement).
enum PersonalArchiveInsert {
    /// The copies of one message: one per archive it may go to.
    typealias Item = [PersonalMessage]

    /// Inserts what the owners' preferences keep; returns, per item and copy, whether it was
    /// archived. A copy for an account that does not exist is not archived, and a message
    /// whose recipient (an incoming copy's owner) does not exist is not archived at all: it is
    /// bounced, not sent.
    static func insert(_ items: [Item], timestamps: [[Int64]], _ db: Database) throws -> [[Bool]] {
        var preferences: [String: ArchivePreferences] = [:]
        var looked = Set<String>()
        for item in items {
            for message in item where looked.insert(message.owner).inserted {
                preferences[message.owner] = try load(message.owner, db)
            }
        }
        let kept = try kept(items, preferences: preferences) { owner, contact in try inRoster(owner, contact, db) }
        var rows: [(PersonalMessage, Int64)] = []
        for (item, (stamps, flags)) in zip(items, zip(timestamps, kept)) {
            for ((message, timestamp), archives) in zip(zip(item, stamps), flags) where archives {
                rows.append((message, timestamp))
            }
        }
        var start = 0
        while start < rows.count {
            let count = ArchiveInsertStatement.powerOfTwo(atMost: min(rows.count - start, maxRows))
            try insertChunk(rows[start..<start + count], db)
            start += count
        }
        return kept
    }

    /// Which copies are archived, on either backend: each by its owner's preferences (absent:
    /// no such account, nothing kept), and none of a message whose recipient (an incoming
    /// copy's owner) does not exist. `inRoster` is asked only under a `roster` default.
    static func kept(_ items: [Item], preferences: [String: ArchivePreferences],
                     inRoster: (_ owner: String, _ contact: String) throws -> Bool) rethrows -> [[Bool]] {
        try items.map { item in
            let undeliverable = item.contains { !$0.outgoing && preferences[$0.owner] == nil }
            return try item.map { message in
                guard !undeliverable, let owned = preferences[message.owner] else { return false }
                return try owned.archives(message.with) { try inRoster(message.owner, message.withBare) }
            }
        }
    }

    /// The most rows one statement inserts (8 parameters each, well within SQLite's limit).
    static let maxRows = 64

    /// The owner's preferences; nil when there is no such account.
    static func load(_ owner: String, _ db: Database) throws -> ArchivePreferences? {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE jid = ?"), arguments: [owner]) != nil else {
            return nil
        }
        return try SQLitePersonalArchiveStore.preferences(owner, db)
    }

    private static func inRoster(_ owner: String, _ contact: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM roster_items WHERE owner = ? AND jid = ?"),
                          arguments: [owner, contact]) != nil
    }

    private static func insertChunk(_ rows: ArraySlice<(PersonalMessage, Int64)>, _ db: Database) throws {
        let tuple = "(?, ?, ?, ?, ?, ?, ?, ?)"
        let sql = """
            INSERT INTO account_messages (owner, stanza_id, with_full, with_bare, outgoing, timestamp, body, stanza)
            VALUES
            """ + Array(repeating: tuple, count: rows.count).joined(separator: ",")
        var arguments = StatementArguments()
        for (message, timestamp) in rows {
            arguments += [message.owner, message.stanzaID, message.with, message.withBare, message.outgoing, timestamp,
                          message.body, message.stanza]
        }
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
