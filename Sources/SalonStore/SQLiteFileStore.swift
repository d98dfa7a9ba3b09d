import Foundation
import GRDB
import PersistentChat

/// `FileStore` on SQLite: the `files` and `file_downloads` tables.
struct SQLiteFileStore: FileStore {
    let access: StoreAccess

    /// Now in milliseconds, in SQL (the triggers' clock; SQLite 3.40 has no unixepoch('subsec')).
    static let nowSQL = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"

    static let columns = "id, uploader, name, size, content_type, created_at, expires_at, completed_at, sha256, room, stanza_id, revoked_at"

    /// Records a new slot if the uploader's daily quota and the storage cap allow it, in one
    /// transaction (two requests cannot both take the last bytes).
    func reserve(_ file: FileRecord, dailyQuota: Int64, storageCap: Int64) async throws -> FileReservation {
        try file.validate()
        return try await access.write { db in
            let dayAgo = Self.ms(file.created) - 86_400_000
            let today = try Int64.fetchOne(db, sql: """
                SELECT COALESCE(SUM(size), 0) FROM files WHERE uploader = ? AND created_at > ?
                """, arguments: [file.uploader, dayAgo]) ?? 0
            guard FileAccounting.fits(file.size, after: today, within: dailyQuota) else { return .overDailyQuota }
            let kept = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM files WHERE revoked_at IS NULL") ?? 0
            guard FileAccounting.fits(file.size, after: kept, within: storageCap) else { return .overStorageCap }
            try db.execute(sql: """
                INSERT INTO files (id, uploader, name, size, content_type, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [file.id, file.uploader, file.name, file.size, file.contentType, Self.ms(file.created), Self.ms(file.expires)])
            return .reserved
        }
    }

    func file(id: String) async throws -> FileRecord? {
        try await access.lookUp { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM files WHERE id = ?", arguments: [id]).map(Self.record)
        }
    }

    /// Marks an upload complete; false when it already was (or the slot is gone): the second PUT.
    /// With compliance on, `event` (FILEUPLOAD) is journaled in the same durable transaction.
    func complete(id: String, sha256: String, at time: Date, journal event: ComplianceEvent?) async throws -> Bool {
        let body: @Sendable (Database) throws -> Bool = { db in
            try db.execute(sql: "UPDATE files SET completed_at = ?, sha256 = ? WHERE id = ? AND completed_at IS NULL AND revoked_at IS NULL",
                           arguments: [Self.ms(time), sha256, id])
            guard db.changesCount == 1 else { return false }
            if let event { try ComplianceJournalInsert.insert([event], db) }
            return true
        }
        return event == nil ? try await access.write(body) : try await access.writeDurably(body)
    }

    /// Ties files to a room message that is not archived (a room without history); an archived
    /// message ties them in its own insert (`ArchiveBatchInsert`). A file already posted keeps
    /// its first room.
    func claim(_ ids: [String], room: String, stanzaID: String, at time: Date) async throws {
        guard !ids.isEmpty else { return }
        try await access.write { db in
            for id in ids { try Self.claim(id, room: room, stanzaID: stanzaID, at: Self.ms(time), db) }
        }
    }

    static func claim(_ id: String, room: String, stanzaID: String, at time: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE files SET room = ?, stanza_id = ?, claimed_at = ? WHERE id = ? AND room IS NULL AND revoked_at IS NULL
            """).execute(arguments: [room, stanzaID, time, id])
    }

    static func revokeRoom(_ room: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE files SET revoked_at = \(nowSQL) WHERE room = ? AND revoked_at IS NULL", arguments: [room])
    }

    /// Revokes one file (administration); false when there is no such file or it already was.
    func revoke(id: String) async throws -> Bool {
        try await access.write { db in
            try db.execute(sql: "UPDATE files SET revoked_at = \(Self.nowSQL) WHERE id = ? AND revoked_at IS NULL", arguments: [id])
            return db.changesCount == 1
        }
    }

    /// Files to take off disk: revoked ones not yet deleted, and those never posted in a room
    /// whose slot expired before `unclaimedBefore` (revoked now). The rows stay, so their URLs
    /// answer 410; call `deleted` once their bytes are gone.
    func sweep(unclaimedBefore deadline: Date) async throws -> [FileRecord] {
        try await access.write { db in
            try db.execute(sql: "UPDATE files SET revoked_at = ? WHERE room IS NULL AND revoked_at IS NULL AND expires_at < ?",
                           arguments: [Self.ms(Date()), Self.ms(deadline)])
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM files WHERE revoked_at IS NOT NULL AND deleted_at IS NULL")
                .map(Self.record)
        }
    }

    /// Records that these files' bytes were removed from disk.
    func deleted(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await access.write { db in
            let now = Self.ms(Date())
            for id in ids { try db.execute(sql: "UPDATE files SET deleted_at = ? WHERE id = ?", arguments: [now, id]) }
        }
    }

    /// Forgets files revoked before `before` whose bytes are gone (their URLs then answer 404).
    func forget(revokedBefore before: Date) async throws -> Int {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM files WHERE revoked_at < ? AND deleted_at IS NOT NULL", arguments: [Self.ms(before)])
            return db.changesCount
        }
    }

    /// Files, newest first, of one room and/or one uploader; revoked ones only when asked.
    func list(room: String? = nil, uploader: String? = nil, includingRevoked: Bool, limit: Int) async throws -> [FileRecord] {
        try await access.lookUp { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let room { conditions.append("room = ?"); arguments += [room] }
            if let uploader { conditions.append("uploader = ?"); arguments += [uploader] }
            if !includingRevoked { conditions.append("revoked_at IS NULL") }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [limit]
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM files \(filter) ORDER BY created_at DESC LIMIT ?",
                                    arguments: arguments).map(Self.record)
        }
    }

    /// Kept (unrevoked, uploaded) files of a room or an uploader.
    func usage(room: String?, uploader: String?) async throws -> FileUsage {
        try await access.lookUp { db in
            var conditions = ["revoked_at IS NULL", "completed_at IS NOT NULL"]
            var arguments: StatementArguments = []
            if let room { conditions.append("room = ?"); arguments += [room] }
            if let uploader { conditions.append("uploader = ?"); arguments += [uploader] }
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM files WHERE "
                                       + conditions.joined(separator: " AND "), arguments: arguments)
            return FileUsage(files: row?["n"] ?? 0, bytes: row?["bytes"] ?? 0)
        }
    }

    /// A room's kept files per uploader, most bytes first.
    func usageByUploader(room: String) async throws -> [(uploader: String, usage: FileUsage)] {
        try await access.lookUp { db in
            try Row.fetchAll(db, sql: """
                SELECT uploader, COUNT(*) AS n, SUM(size) AS bytes FROM files
                WHERE room = ? AND revoked_at IS NULL AND completed_at IS NOT NULL GROUP BY uploader ORDER BY bytes DESC, uploader
                """, arguments: [room]).map { row in (uploader: row["uploader"], usage: FileUsage(files: row["n"], bytes: row["bytes"])) }
        }
    }

    static func ms(_ date: Date) -> Int64 { FileAccounting.milliseconds(date) }

    private static func date(_ ms: Int64?) -> Date? { FileAccounting.date(ms) }

    static func record(_ row: Row) throws -> FileRecord {
        FileRecord(id: try row.decode(String.self, forColumn: "id"), uploader: try row.decode(String.self, forColumn: "uploader"),
                   name: try row.decode(String.self, forColumn: "name"), size: try row.decode(Int64.self, forColumn: "size"),
                   contentType: try row.decode(String.self, forColumn: "content_type"),
                   created: date(try row.decode(Int64.self, forColumn: "created_at"))!,
                   expires: date(try row.decode(Int64.self, forColumn: "expires_at"))!,
                   completed: date(try row.decode(Int64?.self, forColumn: "completed_at")),
                   sha256: try row.decode(String?.self, forColumn: "sha256"),
                   room: try row.decode(String?.self, forColumn: "room"), stanzaID: try row.decode(String?.self, forColumn: "stanza_id"),
                   revoked: date(try row.decode(Int64?.self, forColumn: "revoked_at")))
    }
}
