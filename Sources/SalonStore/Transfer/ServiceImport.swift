import Foundation
import GRDB
import PersistentChat

/// What an import brings. Messages and files come from sources the store calls (twice: once
/// to check, once to write), so an archive of any size passes through in bounded memory.
public struct ServiceImport: Sendable {
    /// Calls `each` with every message of the import, in archive order.
    public typealias MessageSource = @Sendable (_ each: (StoredMessage) throws -> Void) throws -> Void
    /// Calls `each` with every message of the accounts' own archives.
    public typealias PersonalMessageSource = @Sendable (_ each: (PersonalMessage) throws -> Void) throws -> Void
    /// Calls `each` with every file record of the import.
    public typealias FileSource = @Sendable (_ each: (FileRecord) throws -> Void) throws -> Void
    /// Calls `each` with every compliance journal row of the import, in sequence order.
    public typealias ComplianceSource = @Sendable (_ each: (ComplianceRecord) throws -> Void) throws -> Void

    public var accounts: [TransferredAccount]
    public var directory: DirectoryPart?
    public var messages: MessageSource?
    public var personalMessages: PersonalMessageSource?
    public var files: FileSource?
    public var compliance: ComplianceSource?
    /// Puts a file's bytes in place; called inside the transaction, for files not already here,
    /// before the rows are committed (never in a dry run).
    public var placeFile: (@Sendable (FileRecord) throws -> Void)?

    public init(accounts: [TransferredAccount] = [], directory: DirectoryPart? = nil, messages: MessageSource? = nil,
                files: FileSource? = nil, placeFile: (@Sendable (FileRecord) throws -> Void)? = nil) {
        self.accounts = accounts
        self.directory = directory
        self.messages = messages
        self.files = files
        self.placeFile = placeFile
    }
}

/// What an import did, or would do (a dry run), or why it did nothing (conflicts).
public struct ServiceImportReport: Sendable, Hashable {
    public var conflicts: [String] = []
    /// Directory entries added (categories, rooms, groups…), one line each.
    public var added: [String] = []
    /// Where the service's own value was kept over a different imported one.
    public var kept: [String] = []
    public var accountsAdded = 0
    public var accountsPresent = 0
    public var rosterItemsAdded = 0
    public var messagesAdded = 0
    public var messagesPresent = 0
    public var personalMessagesAdded = 0
    public var personalMessagesPresent = 0
    public var filesAdded = 0
    public var filesPresent = 0
    public var complianceEventsAdded = 0
    public var complianceEventsPresent = 0
    /// Whether the changes were committed (false for a dry run or when there were conflicts).
    public var committed = false

    public init() {}
}

extension SQLiteServiceTransfer {
    /// Imports `input` in one IMMEDIATE transaction: a checking pass first (every conflict is
    /// collected), then the writes. With conflicts, or in a dry run, nothing is committed; an
    /// error a source throws rolls everything back and reaches the caller unchanged.
    /// Records already here (accounts by JID, roster items by contact, messages by stanza-id,
    /// files by id) are counted as present and left alone, so importing twice changes nothing.
    public func importService(_ input: ServiceImport, dryRun: Bool) async throws -> ServiceImportReport {
        do {
            return try await access.writer.writeWithoutTransaction { db in
                var report = ServiceImportReport()
                try db.inTransaction(.immediate) {
                    let plan = try Self.check(input, db, &report)
                    guard report.conflicts.isEmpty else { return .rollback }
                    try Self.write(input, plan: plan, dryRun: dryRun, db, &report)
                    report.committed = !dryRun
                    return dryRun ? .rollback : .commit
                }
                return report
            }
        } catch let error as DatabaseError {
            throw StoreError.wrapping(error)
        }
        // Anything else is the sources' own error (a malformed record): passed on as it is.
    }

    /// The directory to save, when it changes.
    private struct Plan {
        var directory: (new: ChatDirectory, previous: ChatDirectory)?
    }

    private static func check(_ input: ServiceImport, _ db: Database, _ report: inout ServiceImportReport) throws -> Plan {
        var plan = Plan()
        if let part = input.directory {
            let current = try ChatDirectoryReader.load(db)
            if let merged = ServiceImportChecks.directory(part, current: current, &report) {
                plan.directory = (merged, current)
            }
        }
        report.conflicts += ServiceImportChecks.accounts(input.accounts)
        if let messages = input.messages {
            var lines = ConflictLines(kind: "messages")
            let roomOf = try db.cachedStatement(sql: "SELECT room FROM room_messages WHERE stanza_id = ?")
            try messages { message in
                let archived = try String.fetchOne(roomOf, arguments: [message.stanzaID])
                if let problem = ServiceImportChecks.message(message, archivedIn: archived) { lines.add(problem) }
            }
            report.conflicts += lines.lines
        }
        if let personal = input.personalMessages {
            var lines = ConflictLines(kind: "personal messages")
            let imported = Set(input.accounts.map(\.jid))
            let ownerOf = try db.cachedStatement(sql: "SELECT owner FROM account_messages WHERE stanza_id = ?")
            try personal { message in
                let known = try imported.contains(message.owner) || db.userExists(message.owner)
                let archived = try String.fetchOne(ownerOf, arguments: [message.stanzaID])
                if let problem = ServiceImportChecks.personal(message, ownerKnown: known, archivedFor: archived) { lines.add(problem) }
            }
            report.conflicts += lines.lines
        }
        if let files = input.files {
            var lines = ConflictLines(kind: "files")
            let existing = try db.cachedStatement(sql: "SELECT room, stanza_id FROM files WHERE id = ?")
            try files { file in
                let here = try Row.fetchOne(existing, arguments: [file.id]).map { row in
                    ServiceImportChecks.FileOwner(room: row["room"], stanzaID: row["stanza_id"])
                }
                if let problem = ServiceImportChecks.file(file, existing: here) { lines.add(problem) }
            }
            report.conflicts += lines.lines
        }
        if let compliance = input.compliance, let conflict = try ComplianceImport.conflict(compliance, db) {
            report.conflicts.append(conflict)
        }
        return plan
    }

    private static func write(_ input: ServiceImport, plan: Plan, dryRun: Bool, _ db: Database,
                              _ report: inout ServiceImportReport) throws {
        if let directory = plan.directory {
            try ChatDirectoryWriter.save(directory.new, previous: directory.previous, db)
            try ChatDirectoryWriter.bumpRevision(db)
        }
        let now = SQLiteFileStore.ms(Date())
        for account in input.accounts {
            if try db.userExists(account.jid) {
                report.accountsPresent += 1
            } else {
                try db.execute(sql: "INSERT INTO users (jid, created_at) VALUES (?, ?)", arguments: [account.jid, now])
                try SQLiteAccountStore.insert(account.credentials, for: account.jid, db)
                report.accountsAdded += 1
            }
            var changed = false
            for item in account.roster {
                try db.execute(sql: """
                    INSERT INTO roster_items (owner, jid, name, subscription, ask, groups) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (owner, jid) DO NOTHING
                    """, arguments: [account.jid, item.jid, item.name, item.subscription, item.ask, try SQLiteRosterStore.encodeGroups(item.groups)])
                if db.changesCount > 0 { changed = true; report.rosterItemsAdded += 1 }
            }
            if changed { try SQLiteRosterStore.bumpVersion(owner: account.jid, db) }
        }
        if let messages = input.messages {
            var batch: [ArchiveBatchInsert.Item] = []
            var rooms = Set<String>()
            func flush() throws {
                for result in try ArchiveBatchInsert.insert(batch, db) {
                    if case .success = result { report.messagesAdded += 1 } else { report.messagesPresent += 1 }
                }
                batch.removeAll(keepingCapacity: true)
            }
            try messages { message in
                rooms.insert(message.room)
                batch.append(ArchiveBatchInsert.Item(message: message, timestamp: SQLiteFileStore.ms(message.timestamp)))
                if batch.count == 256 { try flush() }
            }
            try flush()
            if report.messagesAdded > 0 {
                // Running servers reload these rooms' join history.
                let revision = try ChatDirectoryWriter.bumpRevision(db)
                for room in rooms {
                    try db.execute(sql: """
                        INSERT INTO chat_content_revisions (room, revision) VALUES (?, ?)
                        ON CONFLICT (room) DO UPDATE SET revision = excluded.revision
                        """, arguments: [room, revision])
                }
            }
        }
        if let personal = input.personalMessages {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO account_messages (owner, stanza_id, with_full, with_bare, outgoing, timestamp, body, stanza)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stanza_id) DO NOTHING
                """)
            try personal { message in
                try insert.execute(arguments: [message.owner, message.stanzaID, message.with, message.withBare, message.outgoing,
                                               SQLiteFileStore.ms(message.timestamp), message.body, message.stanza])
                if db.changesCount > 0 { report.personalMessagesAdded += 1 } else { report.personalMessagesPresent += 1 }
            }
        }
        if let files = input.files {
            try files { file in
                try db.execute(sql: """
                    INSERT INTO files (id, uploader, name, size, content_type, created_at, expires_at, completed_at,
                                       sha256, room, stanza_id, claimed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """, arguments: [file.id, file.uploader, file.name, file.size, file.contentType, SQLiteFileStore.ms(file.created),
                                     SQLiteFileStore.ms(file.expires), SQLiteFileStore.ms(file.completed ?? file.created), file.sha256,
                                     file.room, file.stanzaID, SQLiteFileStore.ms(file.completed ?? file.created)])
                guard db.changesCount > 0 else { return report.filesPresent += 1 }
                report.filesAdded += 1
                if !dryRun { try input.placeFile?(file) }
            }
        }
        if let compliance = input.compliance { try ComplianceImport.write(compliance, db, &report) }
    }
}

extension FileRecord {
    /// Whether `id` can name a file in the data directory's `files/` (the form upload slots take).
    public static func isSafeID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
