import GRDB
import PersistentChat

/// `ChatStore` on SQLite: every method runs on GRDB's threads, never the caller's.
/// (Its room-message row helpers are in ChatStore+Messages.swift, the archive's.)
struct SQLiteChatStore: ChatStore {
    let access: StoreAccess

    func loadDirectory() async throws -> ChatDirectory {
        try await access.read { db in try ChatDirectoryReader.load(db) }
    }

    func loadDirectoryAndRevision() async throws -> (directory: ChatDirectory, revision: Int64) {
        try await access.read { db in
            (try ChatDirectoryReader.load(db), try ChatDirectoryReader.revision(db))
        }
    }

    @discardableResult
    func save(_ directory: ChatDirectory, previous: ChatDirectory, journal: ComplianceActor?) async throws -> Int64 {
        try ChatDirectoryValidation.validate(directory)
        return try await access.write { db in
            try ChatDirectoryWriter.save(directory, previous: previous, db)
            try Self.journal(directory, previous: previous, journal, db)
            return try ChatDirectoryWriter.bumpRevision(db)
        }
    }

    private static func journal(_ directory: ChatDirectory, previous: ChatDirectory, _ journal: ComplianceActor?, _ db: Database) throws {
        guard let journal else { return }
        try ComplianceJournalInsert.insert(ComplianceEvent.directoryChanges(from: previous, to: directory, actor: journal.actor, session: journal.session,
                                                             time: journal.time), db)
    }

    func save(_ directory: ChatDirectory, previous: ChatDirectory, ifRevision revision: Int64,
              journal: ComplianceActor?) async throws -> Int64? {
        try ChatDirectoryValidation.validate(directory, changedFrom: previous)
        return try await access.write { db in
            guard try ChatDirectoryReader.revision(db) == revision else { return nil }
            try ChatDirectoryWriter.save(directory, previous: previous, db)
            try Self.journal(directory, previous: previous, journal, db)
            return try ChatDirectoryWriter.bumpRevision(db)
        }
    }

    func revision() async throws -> Int64 {
        try await access.read { db in try ChatDirectoryReader.revision(db) }
    }
}
