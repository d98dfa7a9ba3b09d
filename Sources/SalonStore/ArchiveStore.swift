import Foundation
import PersistentChat

/// The message archive of persistent rooms, on whichever backend the deployment uses
/// (`SQLiteArchiveStore`, `PostgresArchiveStore`): XEP-0313 queries with XEP-0059 paging,
/// full-text search across rooms, and the administrators' clear, remove and moderate. Appends
/// go through the backend's `ArchiveWriter`. Both backends refuse the same queries with the
/// same `ArchiveError` (`ArchiveFilter` and `ArchivePaging` validate before either runs SQL).
public protocol ArchiveStore: Sendable {
    /// One page of the messages matching `query`; throws ArchiveError for bad filters or unknown ids.
    func query(_ query: ArchiveQuery) async throws -> ArchivePage

    /// The oldest and newest messages of a room (MAM metadata); nils for an empty room.
    func bounds(room: String) async throws -> (first: StoredMessage?, last: StoredMessage?)

    /// The message of `room` with that stanza-id, if archived.
    func message(room: String, stanzaID: String) async throws -> StoredMessage?

    /// Deletes every message of the room up to and including `until`; returns how many.
    /// With `journal` (compliance on), ROOM_CLEARED is written in the same transaction.
    func clear(room: String, until: Date, journal: ComplianceActor?) async throws -> Int

    /// Deletes (replacement nil) or replaces the body and the stored stanza of matching messages; returns how many.
    /// Replacing skips tombstones; deleting removes them too.
    /// With `journal` (compliance on), each message's MESSAGE_REMOVED or MESSAGE_REPLACED event,
    /// with its old text, is written in the same transaction.
    func remove(room: String, authors: [String], from: Date?, to: Date?, text: TextFilter?,
                replacement: ArchiveReplacement?, journal: ComplianceActor?) async throws -> Int

    /// XEP-0425: tombstones one message (body emptied, retracted = true, stanza replaced by `tombstone`); returns the old message.
    /// The story title goes too: it is content.
    func retract(room: String, stanzaID: String, tombstone: String) async throws -> StoredMessage?

    /// Removes a room's messages (room deletion), revoking its files. Its sequence numbers are
    /// not reused.
    func deleteMessages(room: String) async throws
}

extension ArchiveStore {
    /// `clear` without a compliance journal.
    public func clear(room: String, until: Date) async throws -> Int {
        try await clear(room: room, until: until, journal: nil)
    }

    /// `remove` without a compliance journal.
    public func remove(room: String, authors: [String], from: Date?, to: Date?, text: TextFilter?,
                       replacement: ArchiveReplacement?) async throws -> Int {
        try await remove(room: room, authors: authors, from: from, to: to, text: text, replacement: replacement, journal: nil)
    }
}

/// The checks both archive stores make on an administrator's or moderator's text before their
/// backend sees it, so both refuse the same input with the same StoreError.
enum ArchiveArguments {
    /// A replacement body: bounded, possibly empty, no NUL (PostgreSQL's text cannot hold one).
    static func checkReplacement(_ replacement: ArchiveReplacement) throws {
        try InputLimits.checkText(replacement.body, "replacement", maxBytes: InputLimits.maxMessageBytes, allowEmpty: true)
        try PostgresText.check(replacement.body, "replacement")
    }

    /// A retracted message's tombstone: bounded, not empty, no NUL.
    static func checkTombstone(_ tombstone: String) throws {
        try InputLimits.checkText(tombstone, "tombstone", maxBytes: InputLimits.maxMessageBytes)
        try PostgresText.check(tombstone, "tombstone")
    }
}
