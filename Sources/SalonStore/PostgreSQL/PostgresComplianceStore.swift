import PersistentChat
import PostgresNIO

/// `ComplianceStore` on PostgreSQL: the same rules as `SQLiteComplianceStore`. Appends and
/// setting changes take the journal's advisory lock (`PostgresComplianceJournalInsert`), so
/// the chain stays one across nodes; beginning an export takes a lock of its own, so two
/// exporters never claim the same events.
struct PostgresComplianceStore: ComplianceStore {
    let access: PostgresAccess

    /// "SalonCX" in ASCII: held while an export is begun.
    static let exportLock: Int64 = 0x5361_6C6F_6E43_58
    /// Rows per read while verifying: memory stays bounded however long the journal.
    static let verifyPage = 1000

    static let columns = "seq, time, type, actor_bare, actor_full, room, payload, prev_hash, hash, exported_at"

    @discardableResult
    func append(_ events: [ComplianceEvent]) async throws -> Int64 {
        try events.forEach { try $0.validate() }
        return try await access.transaction { transaction in
            try await PostgresComplianceJournalInsert.insert(events, transaction)
        }
    }

    func settings(defaults: ComplianceSettings) async throws -> ComplianceSettings {
        try await access.transaction { transaction in try await Self.settings(defaults: defaults, transaction) }
    }

    private static func settings(defaults: ComplianceSettings, _ transaction: PostgresAccess.Transaction) async throws -> ComplianceSettings {
        var settings = defaults
        for row in try await transaction.query("SELECT key, value FROM compliance_settings") {
            let (key, value) = try row.decode((String, String).self)
            // A value written by another version that this one refuses keeps the default.
            try? settings.set(key, to: value)
        }
        return settings
    }

    func set(_ key: String, to value: String, defaults: ComplianceSettings, actor: String, session: String,
             time: Int64) async throws -> (before: ComplianceSettings, after: ComplianceSettings) {
        try await access.transaction { transaction in
            // The journal's lock first: the settings read below stays current until this commits.
            try await PostgresComplianceJournalInsert.lock(transaction)
            let before = try await Self.settings(defaults: defaults, transaction)
            var after = before
            do throws(ChatRuleError) { try after.set(key, to: value) } catch { throw StoreError(.invalidArgument, error.message) }
            let stored = try after.value(of: key)
            try await transaction.query("""
                INSERT INTO compliance_settings (key, value) VALUES (\(key), \(stored))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """)
            try await PostgresComplianceJournalInsert.insert(
                [.administrative(.complianceChanged, time: time, actor: actor, session: session, what: key,
                                 before: try before.value(of: key), after: stored)], transaction)
            return (before, after)
        }
    }

    func pending(after seq: Int64, limit: Int) async throws -> [ComplianceRecord] {
        try await access.query("""
            SELECT \(unescaped: Self.columns) FROM compliance_events WHERE exported_at IS NULL AND seq > \(seq) ORDER BY seq LIMIT \(limit)
            """).map(Self.record)
    }

    func events(_ range: ClosedRange<Int64>) async throws -> [ComplianceRecord] {
        try await access.query("""
            SELECT \(unescaped: Self.columns) FROM compliance_events WHERE seq BETWEEN \(range.lowerBound) AND \(range.upperBound) ORDER BY seq
            """).map(Self.record)
    }

    func counts() async throws -> (total: Int, pending: Int) {
        let row = try await access.query("""
            SELECT count(*), count(*) FILTER (WHERE exported_at IS NULL) FROM compliance_events
            """).first
        return try row?.decode((Int, Int).self) ?? (0, 0)
    }

    func backlog() async throws -> (pending: Int, oldest: Int64?) {
        let row = try await access.query("""
            SELECT count(*), (SELECT time FROM compliance_events WHERE exported_at IS NULL ORDER BY seq LIMIT 1)
            FROM compliance_events WHERE exported_at IS NULL
            """).first
        return try row?.decode((Int, Int64?).self) ?? (0, nil)
    }

    func lastExport() async throws -> Int64? {
        try await access.query("SELECT max(finished_at) FROM compliance_exports").first?.decode(Int64?.self) ?? nil
    }

    func unfinishedExport() async throws -> ComplianceExportIntent? {
        try await access.query("""
            SELECT id, first_seq, last_seq FROM compliance_exports WHERE finished_at IS NULL ORDER BY id LIMIT 1
            """).first.map { row in
            let (id, first, last) = try row.decode((Int64, Int64, Int64).self)
            return ComplianceExportIntent(id: id, range: first...last)
        }
    }

    func beginExport(limit: Int, time: Int64) async throws -> ComplianceExportIntent? {
        try await access.transaction { transaction in
            try await transaction.query("SELECT pg_advisory_xact_lock(\(Self.exportLock))")
            let range = try await transaction.query("""
                SELECT min(seq), max(seq) FROM (
                    SELECT seq FROM compliance_events WHERE exported_at IS NULL ORDER BY seq LIMIT \(limit)
                ) AS oldest
                """).first?.decode((Int64?, Int64?).self)
            guard let first = range?.0, let last = range?.1 else { return nil }
            let id = try await transaction.query("""
                INSERT INTO compliance_exports (first_seq, last_seq, started_at) VALUES (\(first), \(last), \(time)) RETURNING id
                """).first?.decode(Int64.self)
            guard let id else { throw StoreError(.other, "the compliance export row vanished inside its transaction") }
            return ComplianceExportIntent(id: id, range: first...last)
        }
    }

    func finishExport(_ intent: ComplianceExportIntent, files: [String], time: Int64) async throws {
        let list = files.joined(separator: "\n")
        try PostgresText.check(list, "export file names")
        try await access.transaction { transaction in
            try await transaction.query("""
                UPDATE compliance_events SET exported_at = \(time)
                WHERE seq BETWEEN \(intent.range.lowerBound) AND \(intent.range.upperBound) AND exported_at IS NULL
                """)
            try await transaction.query("""
                UPDATE compliance_exports SET finished_at = \(time), files = \(list) WHERE id = \(intent.id)
                """)
        }
    }

    func verify() async throws -> (checked: Int64, firstBreak: ComplianceChainBreak?) {
        try await access.administrative.transaction { transaction in
            // One snapshot for every page: appends meanwhile are not half seen.
            try await transaction.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            var walk = ComplianceChainWalk()
            var after: Int64 = .min
            while true {
                let page = try await transaction.query("""
                    SELECT \(unescaped: Self.columns) FROM compliance_events WHERE seq > \(after) ORDER BY seq LIMIT \(Self.verifyPage)
                    """).map(Self.record)
                for record in page {
                    if let chainBreak = walk.check(record) { return (walk.checked, chainBreak) }
                }
                guard let last = page.last, page.count == Self.verifyPage else { return (walk.checked, nil) }
                after = last.seq
            }
        }
    }

    static func record(_ row: PostgresRow) throws -> ComplianceRecord {
        let (seq, time, type, actorBare, actorFull, room, payload, prevHash, hash, exportedAt) =
            try row.decode((Int64, Int64, String, String, String, String, String, String, String, Int64?).self)
        return ComplianceRecord(seq: seq, time: time, type: type, actorBare: actorBare, actorFull: actorFull, room: room,
                                payload: payload, prevHash: prevHash, hash: hash, exportedAt: exportedAt)
    }
}
