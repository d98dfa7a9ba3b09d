import PersistentChat
import PostgresNIO

/// `ChatStore` on PostgreSQL: the same statements as SQLite's (`ChatDirectoryReader`,
/// `ChatDirectoryWriter`, through `PostgresChatSQL`). Every save locks the revision row first
/// and holds it until it commits, so saves from all nodes run one at a time, and a save at a
/// stale revision is refused on every node, as SQLite's single writer makes it.
struct PostgresChatStore: ChatStore {
    let access: PostgresAccess

    func loadDirectory() async throws -> ChatDirectory {
        try await snapshot { transaction in try await Self.load(transaction) }
    }

    func loadDirectoryAndRevision() async throws -> (directory: ChatDirectory, revision: Int64) {
        try await snapshot { transaction in
            (try await Self.load(transaction), try await Self.revision(transaction))
        }
    }

    @discardableResult
    func save(_ directory: ChatDirectory, previous: ChatDirectory, journal: ComplianceActor?) async throws -> Int64 {
        try ChatDirectoryValidation.validate(directory)
        return try await access.transaction { transaction in
            _ = try await Self.lockRevision(transaction)
            return try await Self.write(directory, previous: previous, journal: journal, transaction)
        }
    }

    func save(_ directory: ChatDirectory, previous: ChatDirectory, ifRevision revision: Int64,
              journal: ComplianceActor?) async throws -> Int64? {
        try ChatDirectoryValidation.validate(directory, changedFrom: previous)
        return try await access.transaction { transaction in
            guard try await Self.lockRevision(transaction) == revision else { return nil }
            return try await Self.write(directory, previous: previous, journal: journal, transaction)
        }
    }

    func revision() async throws -> Int64 {
        guard let revision = try await access.query(PostgresQuery(unsafeSQL: ChatDirectoryReader.revisionQuery)).first else {
            throw ChatDirectoryReader.missingRevision
        }
        return try revision.decode(Int64.self)
    }

    @discardableResult
    func bumpRevision(contentOf room: String) async throws -> Int64 {
        try InputLimits.checkRoomLocalpart(room)
        return try await access.transaction { transaction in
            let revision = try await Self.bumpRevision(transaction)
            try await transaction.query("""
                INSERT INTO chat_content_revisions (room, revision) VALUES (\(room), \(revision))
                ON CONFLICT (room) DO UPDATE SET revision = excluded.revision
                """)
            return revision
        }
    }

    func loadChanges(since: Int64) async throws -> (directory: ChatDirectory, revision: Int64, contentChanged: Set<String>) {
        try await snapshot { transaction in
            let rooms = try await transaction.query("SELECT room FROM chat_content_revisions WHERE revision > \(since)")
                .map { try $0.decode(String.self) }
            return (try await Self.load(transaction), try await Self.revision(transaction), Set(rooms))
        }
    }

    // MARK: - Directory

    /// `body` in a read-only transaction that sees one snapshot throughout.
    func snapshot<T: Sendable>(_ body: @Sendable (PostgresAccess.Transaction) async throws -> T) async throws -> T {
        try await access.transaction { transaction in
            try await transaction.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try await body(transaction)
        }
    }

    static func load(_ transaction: PostgresAccess.Transaction) async throws -> ChatDirectory {
        var results: [[ChatSQLRow]] = []
        for query in ChatDirectoryReader.queries {
            results.append(try await PostgresChatSQL.rows(query, transaction))
        }
        return try ChatDirectoryReader.directory(from: results)
    }

    private static func revision(_ transaction: PostgresAccess.Transaction) async throws -> Int64 {
        guard let row = try await transaction.query(PostgresQuery(unsafeSQL: ChatDirectoryReader.revisionQuery)).first else {
            throw ChatDirectoryReader.missingRevision
        }
        return try row.decode(Int64.self)
    }

    /// The stored revision, its row locked until the transaction ends: directory saves wait here
    /// for each other, on every node.
    static func lockRevision(_ transaction: PostgresAccess.Transaction) async throws -> Int64 {
        guard let row = try await transaction.query("SELECT revision FROM chat_revision WHERE id = 1 FOR UPDATE").first else {
            throw ChatDirectoryReader.missingRevision
        }
        return try row.decode(Int64.self)
    }

    static func bumpRevision(_ transaction: PostgresAccess.Transaction) async throws -> Int64 {
        guard let row = try await transaction.query("UPDATE chat_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision").first else {
            throw ChatDirectoryReader.missingRevision
        }
        return try row.decode(Int64.self)
    }

    static func write(_ directory: ChatDirectory, previous: ChatDirectory, journal: ComplianceActor?,
                              _ transaction: PostgresAccess.Transaction) async throws -> Int64 {
        for statement in ChatDirectoryWriter.statements(for: directory, previous: previous) {
            try await transaction.query(try PostgresChatSQL.query(statement))
        }
        if let journal {
            try await PostgresComplianceJournalInsert.insert(
                ComplianceEvent.directoryChanges(from: previous, to: directory, actor: journal.actor, session: journal.session,
                                                 time: journal.time), transaction)
        }
        return try await bumpRevision(transaction)
    }
}
