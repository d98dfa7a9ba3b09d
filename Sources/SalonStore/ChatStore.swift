import GRDB
import PersistentChat

/// Persistent-chat storage: the directory (categories, rooms, add-ins, groups, administrators,
/// policy, settings), room messages, and pending invitations.
/// Every method is async and runs on GRDB's threads, never the caller's.
public struct ChatStore: Sendable {
    let access: StoreAccess

    /// The whole directory (categories, rooms with roles, add-ins, groups, admins, policy, settings).
    public func loadDirectory() async throws -> ChatDirectory {
        try await access.read { db in try ChatDirectoryReader.load(db) }
    }

    /// The directory with the revision it was read at, from one snapshot: a later `revision()`
    /// that differs means another save happened since.
    public func loadDirectoryAndRevision() async throws -> (directory: ChatDirectory, revision: Int64) {
        try await access.read { db in
            (try ChatDirectoryReader.load(db), try ChatDirectoryReader.revision(db))
        }
    }

    /// Replaces the stored directory with `directory` in one transaction, writing only what changed
    /// compared with `previous` (the value loaded earlier), bumps the revision and returns it.
    /// Throws invalidArgument, writing nothing, for a directory whose keys, references or sizes are wrong.
    @discardableResult
    /// With `journal` (compliance on), the change's events are journaled in the same transaction.
    public func save(_ directory: ChatDirectory, previous: ChatDirectory, journal: ComplianceActor? = nil) async throws -> Int64 {
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

    /// Saves like `save`, but only while the stored revision is still `revision`, the one
    /// `previous` was read at: a caller holding the directory in memory need not read it
    /// back first. Returns the new revision, or nil, writing nothing, when another save came first.
    /// Only what differs from `previous` is validated: the rest was valid when saved.
    public func save(_ directory: ChatDirectory, previous: ChatDirectory, ifRevision revision: Int64,
                     journal: ComplianceActor? = nil) async throws -> Int64? {
        try ChatDirectoryValidation.validate(directory, changedFrom: previous)
        return try await access.write { db in
            guard try ChatDirectoryReader.revision(db) == revision else { return nil }
            try ChatDirectoryWriter.save(directory, previous: previous, db)
            try Self.journal(directory, previous: previous, journal, db)
            return try ChatDirectoryWriter.bumpRevision(db)
        }
    }

    /// A number that grows with every save (by any process): the server polls it to pick up CLI changes.
    public func revision() async throws -> Int64 {
        try await access.read { db in try ChatDirectoryReader.revision(db) }
    }
}
