import PersistentChat

/// What an import checks, whichever backend it goes to: the rules are pure logic over the
/// imported records and what the store already holds for them (looked up by the backend one
/// record at a time on SQLite, a batch at a time on PostgreSQL), so both refuse alike.
enum ServiceImportChecks {
    /// The most conflict lines one kind of record (messages, files, accounts) reports.
    static let maxConflictLines = 100

    /// The directory `part` merged into `current`, when it changes it; conflicts and what was
    /// added or kept go to `report`.
    static func directory(_ part: DirectoryPart, current: ChatDirectory, _ report: inout ServiceImportReport) -> ChatDirectory? {
        let merged = current.importing(part)
        report.conflicts += merged.conflicts
        report.added = merged.added
        report.kept = merged.kept
        guard merged.conflicts.isEmpty, merged.directory != current else { return nil }
        do {
            try ChatDirectoryValidation.validate(merged.directory, changedFrom: current)
            return merged.directory
        } catch {
            report.conflicts.append("the directory after the import would not be valid: \(error)")
            return nil
        }
    }

    /// Conflict lines for accounts that cannot be stored as they are.
    static func accounts(_ accounts: [TransferredAccount]) -> [String] {
        var lines = ConflictLines(kind: "accounts")
        for account in accounts {
            do {
                try InputLimits.checkAccountJID(account.jid)
                try account.credentials.forEach { try $0.validate() }
                try account.roster.forEach { try $0.validate() }
            } catch {
                lines.add("account \(account.jid.prefix(200)): \(error)")
            }
        }
        return lines.lines
    }

    /// Why `message` cannot be imported, given the room its stanza-id is archived in here.
    static func message(_ message: StoredMessage, archivedIn room: String?) -> String? {
        do {
            try message.validate()
        } catch {
            return "message \(message.stanzaID.prefix(64)) in \(message.room.prefix(64)): \(error)"
        }
        if let room, room != message.room {
            return "message \(message.stanzaID.prefix(64)) of room \(message.room) is archived here in room \(room)"
        }
        return nil
    }

    /// Why a personal message cannot be imported: malformed, of an account neither here nor in
    /// the import, or its stanza-id archived here for another account.
    static func personal(_ message: PersonalMessage, ownerKnown: Bool, archivedFor owner: String?) -> String? {
        do {
            try message.validate()
        } catch {
            return "personal message \(message.stanzaID.prefix(64)) of \(message.owner.prefix(200)): \(error)"
        }
        if !ownerKnown {
            return "personal message \(message.stanzaID.prefix(64)) belongs to \(message.owner), an account neither here nor in the import"
        }
        if let owner, owner != message.owner {
            return "personal message \(message.stanzaID.prefix(64)) of \(message.owner) is archived here for \(owner)"
        }
        return nil
    }

    /// The message a file already here belongs to.
    struct FileOwner: Sendable {
        var room: String?
        var stanzaID: String?
    }

    /// Why a file record cannot be imported: malformed, or here for another message.
    static func file(_ file: FileRecord, existing: FileOwner?) -> String? {
        guard FileRecord.isSafeID(file.id), file.size >= 0, let room = file.room, let stanzaID = file.stanzaID,
              file.name.utf8.count <= 1024, file.contentType.utf8.count <= 256, file.uploader.utf8.count <= InputLimits.maxJIDBytes,
              [room, stanzaID, file.name, file.contentType, file.uploader, file.sha256 ?? ""].allSatisfy(PostgresText.isStorable) else {
            return "file \(file.id.prefix(64)): not a well-formed file record"
        }
        if let existing, (existing.room, existing.stanzaID) != (file.room, file.stanzaID) {
            return "file \(file.id) belongs here to another message"
        }
        return nil
    }
}

/// Conflict lines of one kind, at most `maxConflictLines`, then how many more there were.
struct ConflictLines {
    let kind: String
    private(set) var all: [String] = []
    private var more = 0

    init(kind: String) { self.kind = kind }

    mutating func add(_ line: String) {
        if all.count < ServiceImportChecks.maxConflictLines { all.append(line) } else { more += 1 }
    }

    var lines: [String] { more == 0 ? all : all + ["… and \(more) more conflicts in \(kind)"] }
}
