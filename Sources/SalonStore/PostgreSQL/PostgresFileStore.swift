import Foundation
import PersistentChat
import PostgresNIO

/// `FileStore` on PostgreSQL: the same rules as `SQLiteFileStore`. A reservation takes one
/// transaction-scoped advisory lock before it sums what is used, so reservations on every node
/// run one at a time and two of them can never both take the last bytes of a quota or of the
/// storage cap (SQLite's single writer gives the same). Releasing space (revoke, sweep) needs
/// no lock: it can only make a later sum smaller.
struct PostgresFileStore: FileStore {
    let access: PostgresAccess

    /// "SalonFR" in ASCII: held by a reservation until it commits.
    static let reserveLock: Int64 = 0x5361_6C6F_6E46_52

    static let columns = "id, uploader, name, size, content_type, created_at, expires_at, completed_at, sha256, room, stanza_id, revoked_at"

    func reserve(_ file: FileRecord, dailyQuota: Int64, storageCap: Int64) async throws -> FileReservation {
        try file.validate()
        let created = FileAccounting.milliseconds(file.created)
        let expires = FileAccounting.milliseconds(file.expires)
        let dayAgo = created - 86_400_000
        return try await access.transaction { transaction in
            try await transaction.query("SELECT pg_advisory_xact_lock(\(Self.reserveLock))")
            // A statement after the lock: under READ COMMITTED it sees what the reservations it waited for committed.
            let sums = try await transaction.query("""
                SELECT (SELECT COALESCE(sum(size), 0) FROM files WHERE uploader = \(file.uploader) AND created_at > \(dayAgo))::bigint,
                       (SELECT COALESCE(sum(size), 0) FROM files WHERE revoked_at IS NULL)::bigint
                """)[0]
            let (today, kept) = try sums.decode((Int64, Int64).self)
            guard FileAccounting.fits(file.size, after: today, within: dailyQuota) else { return .overDailyQuota }
            guard FileAccounting.fits(file.size, after: kept, within: storageCap) else { return .overStorageCap }
            try await transaction.query("""
                INSERT INTO files (id, uploader, name, size, content_type, created_at, expires_at)
                VALUES (\(file.id), \(file.uploader), \(file.name), \(file.size), \(file.contentType), \(created), \(expires))
                """)
            return .reserved
        }
    }

    func file(id: String) async throws -> FileRecord? {
        guard PostgresText.isStorable(id) else { return nil }
        return try await access.query("SELECT \(unescaped: Self.columns) FROM files WHERE id = \(id)").first.map(Self.record)
    }

    func complete(id: String, sha256: String, at time: Date, journal event: ComplianceEvent?) async throws -> Bool {
        try PostgresText.check(sha256, "SHA-256")
        guard PostgresText.isStorable(id) else { return false }
        let completed = FileAccounting.milliseconds(time)
        return try await access.transaction { transaction in
            let updated = try await transaction.query("""
                UPDATE files SET completed_at = \(completed), sha256 = \(sha256)
                WHERE id = \(id) AND completed_at IS NULL AND revoked_at IS NULL RETURNING 1
                """)
            guard !updated.isEmpty else { return false }
            if let event { try await PostgresComplianceJournalInsert.insert([event], transaction) }
            return true
        }
    }

    func claim(_ ids: [String], room: String, stanzaID: String, at time: Date) async throws {
        let claims = ids.filter(PostgresText.isStorable).map {
            PostgresFileClaims.Claim(file: $0, room: room, stanzaID: stanzaID, time: FileAccounting.milliseconds(time))
        }
        guard !claims.isEmpty, PostgresText.isStorable(room), PostgresText.isStorable(stanzaID) else { return }
        _ = try await access.execute(PostgresFileClaims(claims: claims))
    }

    func revoke(id: String) async throws -> Bool {
        guard PostgresText.isStorable(id) else { return false }
        return try await !access.query("""
            UPDATE files SET revoked_at = salon_now_ms() WHERE id = \(id) AND revoked_at IS NULL RETURNING 1
            """).isEmpty
    }

    /// Revokes every file of `room` (room deletion), archived or not, inside the caller's transaction.
    static func revokeRoom(_ room: String, _ transaction: PostgresAccess.Transaction) async throws {
        try await transaction.query("UPDATE files SET revoked_at = salon_now_ms() WHERE room = \(room) AND revoked_at IS NULL")
    }

    func sweep(unclaimedBefore deadline: Date) async throws -> [FileRecord] {
        let deadline = FileAccounting.milliseconds(deadline)
        return try await access.transaction { transaction in
            try await transaction.query("""
                UPDATE files SET revoked_at = salon_now_ms() WHERE room IS NULL AND revoked_at IS NULL AND expires_at < \(deadline)
                """)
            return try await transaction.query("""
                SELECT \(unescaped: Self.columns) FROM files WHERE revoked_at IS NOT NULL AND deleted_at IS NULL
                """).map(Self.record)
        }
    }

    func deleted(_ ids: [String]) async throws {
        let ids = ids.filter(PostgresText.isStorable)
        guard !ids.isEmpty else { return }
        _ = try await access.query("UPDATE files SET deleted_at = salon_now_ms() WHERE id = ANY(\(ids)::text[])")
    }

    func forget(revokedBefore before: Date) async throws -> Int {
        let before = FileAccounting.milliseconds(before)
        return try await access.query("""
            WITH forgotten AS (DELETE FROM files WHERE revoked_at < \(before) AND deleted_at IS NOT NULL RETURNING 1)
            SELECT count(*) FROM forgotten
            """).first?.decode(Int.self) ?? 0
    }

    func list(room: String?, uploader: String?, includingRevoked: Bool, limit: Int) async throws -> [FileRecord] {
        guard room.map(PostgresText.isStorable) != false, uploader.map(PostgresText.isStorable) != false else { return [] }
        var builder = PostgresStatementBuilder("SELECT \(Self.columns) FROM files WHERE true")
        if let room { builder.append(" AND room = \(builder.bind(room))") }
        if let uploader { builder.append(" AND uploader = \(builder.bind(uploader))") }
        if !includingRevoked { builder.append(" AND revoked_at IS NULL") }
        builder.append(" ORDER BY created_at DESC LIMIT \(builder.bind(Int64(max(limit, 0))))")
        return try await access.query(builder.query).map(Self.record)
    }

    func usage(room: String?, uploader: String?) async throws -> FileUsage {
        guard room.map(PostgresText.isStorable) != false, uploader.map(PostgresText.isStorable) != false else {
            return FileUsage(files: 0, bytes: 0)
        }
        var builder = PostgresStatementBuilder("""
            SELECT count(*), COALESCE(sum(size), 0)::bigint FROM files WHERE revoked_at IS NULL AND completed_at IS NOT NULL
            """)
        if let room { builder.append(" AND room = \(builder.bind(room))") }
        if let uploader { builder.append(" AND uploader = \(builder.bind(uploader))") }
        let (files, bytes) = try await access.query(builder.query)[0].decode((Int, Int64).self)
        return FileUsage(files: files, bytes: bytes)
    }

    func usageByUploader(room: String) async throws -> [(uploader: String, usage: FileUsage)] {
        guard PostgresText.isStorable(room) else { return [] }
        return try await access.query("""
            SELECT uploader, count(*), sum(size)::bigint AS bytes FROM files
            WHERE room = \(room) AND revoked_at IS NULL AND completed_at IS NOT NULL GROUP BY uploader ORDER BY bytes DESC, uploader
            """).map { row in
            let (uploader, files, bytes) = try row.decode((String, Int, Int64).self)
            return (uploader: uploader, usage: FileUsage(files: files, bytes: bytes))
        }
    }

    static func record(_ row: PostgresRow) throws -> FileRecord {
        let (id, uploader, name, size, contentType, created, expires, completed, sha256, room, stanzaID, revoked) =
            try row.decode((String, String, String, Int64, String, Int64, Int64, Int64?, String?, String?, String?, Int64?).self)
        return FileRecord(id: id, uploader: uploader, name: name, size: size, contentType: contentType,
                          created: FileAccounting.date(created)!, expires: FileAccounting.date(expires)!,
                          completed: FileAccounting.date(completed), sha256: sha256, room: room, stanzaID: stanzaID,
                          revoked: FileAccounting.date(revoked))
    }
}

/// Ties files to the room messages that carry them, one statement for any number of them: a
/// file already posted (or revoked) is left alone, and a file named twice goes to the first
/// message naming it, as on SQLite. Parsed once per pooled connection: every post with a file
/// runs it, inside its group commit (`PostgresArchiveInsert`).
struct PostgresFileClaims: PostgresPreparedStatement {
    struct Claim: Sendable {
        let file: String
        let room: String
        let stanzaID: String
        let time: Int64
    }

    static let sql = """
        UPDATE files f SET room = c.room, stanza_id = c.stanza_id, claimed_at = c.claimed_at
        FROM (SELECT DISTINCT ON (file_id) file_id, room, stanza_id, claimed_at
              FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY
                  AS t(file_id, room, stanza_id, claimed_at, position)
              ORDER BY file_id, position) AS c
        WHERE f.id = c.file_id AND f.room IS NULL AND f.revoked_at IS NULL
        """
    typealias Row = ()
    let claims: [Claim]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(claims.map(\.file))
        bindings.append(claims.map(\.room))
        bindings.append(claims.map(\.stanzaID))
        bindings.append(claims.map(\.time))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
