import Foundation
import PersistentChat

/// Export and import of the whole service (`salon export`, `salon import`, `salon storage
/// migrate`), one interface both backends implement (docs/ARCHITECTURE.md, section 7).
/// Exports read through an async source, because PostgreSQL's rows arrive asynchronously and
/// SQLite's synchronous cursors can be bridged to it (`SyncBatchBridge`) where the reverse
/// would block the cooperative pool; imports take synchronous sources, because the ZIP reader
/// is synchronous, and each backend consumes them as it can.
public protocol ServiceTransfer: Sendable {
    /// Runs `body` with a source that reads from one consistent snapshot.
    func export<T: Sendable>(_ body: @Sendable (any ServiceExportSource) async throws -> T) async throws -> T

    /// Imports `input`: checked whole first (every conflict collected), then written, in one
    /// transaction; nothing is committed with conflicts or in a dry run, and an error a source
    /// throws rolls everything back and reaches the caller unchanged. Records already here
    /// (accounts by JID, roster items by contact, messages by stanza-id, files by id, journal
    /// rows by sequence) are counted as present and left alone, so importing twice changes nothing.
    func importService(_ input: ServiceImport, dryRun: Bool) async throws -> ServiceImportReport
}

/// Reads for a service export, all from one snapshot, so the directory, accounts, messages and
/// files agree with each other. Rows are handed over one at a time in bounded memory. Valid
/// only inside `ServiceTransfer.export`, one read at a time: a body must not read the source
/// again or use the database (the snapshot is one connection, busy until the read ends).
/// Orders are the same on both backends (text in byte order), so two backends holding the same
/// service export the same documents.
public protocol ServiceExportSource: Sendable {
    func directory() async throws -> ChatDirectory
    /// Every account, sorted by JID, with its credentials (by mechanism) and roster (by contact).
    func forEachAccount(_ body: (TransferredAccount) async throws -> Void) async throws
    /// Room messages in archive order, room by room: of `rooms` (nil: every room, deleted
    /// rooms' archives included), from `since` on.
    func forEachRoomMessage(rooms: Set<String>?, since: Date?, _ body: (StoredMessage) async throws -> Void) async throws
    /// Accounts' own archives, account by account in archive order, from `since` on.
    func forEachPersonalMessage(since: Date?, _ body: (PersonalMessage) async throws -> Void) async throws
    /// Uploaded files posted in a room and not revoked, of `rooms` (nil: all), created from
    /// `since` on, oldest first.
    func forEachFile(rooms: Set<String>?, since: Date?, _ body: (FileRecord) async throws -> Void) async throws
    /// The compliance journal in sequence order: all of it, or (with `since`) from the first
    /// event at or after that instant to the end, one unbroken stretch of the chain.
    func forEachComplianceEvent(since: Date?, _ body: (ComplianceRecord) async throws -> Void) async throws
}
