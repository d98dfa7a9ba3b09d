import Foundation
import GRDB
import PersistentChat

extension ComplianceRecord {
    /// A journal row as SQLite returns it (`SELECT *`).
    init(_ row: Row) {
        self.init(seq: row["seq"], time: row["time"], type: row["type"], actorBare: row["actor_bare"],
                  actorFull: row["actor_full"], room: row["room"], payload: row["payload"], prevHash: row["prev_hash"],
                  hash: row["hash"], exportedAt: row["exported_at"])
    }
}

/// `ComplianceStore` on SQLite: the journal, its settings and its exports.
struct SQLiteComplianceStore: ComplianceStore {
    let access: StoreAccess

    /// Appends events durably (one transaction, synchronous=FULL); returns the last sequence.
    @discardableResult
    func append(_ events: [ComplianceEvent]) async throws -> Int64 {
        try await access.writeDurably { db in try ComplianceJournalInsert.insert(events, db) }
    }

    /// The settings stored by `salon compliance set` or the ad-hoc command over `defaults` (the
    /// configuration file's).
    func settings(defaults: ComplianceSettings) async throws -> ComplianceSettings {
        try await access.read { db in try Self.settings(defaults: defaults, db) }
    }

    static func settings(defaults: ComplianceSettings, _ db: Database) throws -> ComplianceSettings {
        var settings = defaults
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM compliance_settings") {
            // A value written by another version that this one refuses keeps the default.
            try? settings.set(row["key"], to: row["value"])
        }
        return settings
    }

    /// Changes one setting (checked by `ComplianceSettings.set`) and records the change in the
    /// journal in the same transaction — always, so turning compliance off is recorded too.
    /// Returns the settings before and after.
    func set(_ key: String, to value: String, defaults: ComplianceSettings, actor: String, session: String,
             time: Int64) async throws -> (before: ComplianceSettings, after: ComplianceSettings) {
        try await access.writeDurably { db in
            let before = try Self.settings(defaults: defaults, db)
            var after = before
            do throws(ChatRuleError) { try after.set(key, to: value) } catch { throw StoreError(.invalidArgument, error.message) }
            let stored = try after.value(of: key)
            try db.execute(sql: "INSERT INTO compliance_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [key, stored])
            try ComplianceJournalInsert.insert([.administrative(.complianceChanged, time: time, actor: actor, session: session, what: key,
                                                                 before: try before.value(of: key), after: stored)], db)
            return (before, after)
        }
    }

    /// Events not yet exported, oldest first, at most `limit`, from `after` on.
    func pending(after seq: Int64, limit: Int) async throws -> [ComplianceRecord] {
        try await access.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM compliance_events WHERE exported_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
                             arguments: [seq, limit]).map(ComplianceRecord.init)
        }
    }

    /// Events `first...last`, in order.
    func events(_ range: ClosedRange<Int64>) async throws -> [ComplianceRecord] {
        try await access.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM compliance_events WHERE seq BETWEEN ? AND ? ORDER BY seq",
                             arguments: [range.lowerBound, range.upperBound]).map(ComplianceRecord.init)
        }
    }

    /// How many events there are, and how many wait for export.
    func counts() async throws -> (total: Int, pending: Int) {
        try await access.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM compliance_events") ?? 0
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM compliance_events WHERE exported_at IS NULL") ?? 0
            return (total, pending)
        }
    }

    // MARK: Exports

    /// The unfinished export, if a run died before marking its events.
    func unfinishedExport() async throws -> ComplianceExportIntent? {
        try await access.read { db in
            try Row.fetchOne(db, sql: "SELECT id, first_seq, last_seq FROM compliance_exports WHERE finished_at IS NULL ORDER BY id LIMIT 1")
                .map { ComplianceExportIntent(id: $0["id"], range: ($0["first_seq"] as Int64)...($0["last_seq"] as Int64)) }
        }
    }

    /// Begins an export of the oldest pending events (at most `limit`); nil when none wait.
    func beginExport(limit: Int, time: Int64) async throws -> ComplianceExportIntent? {
        try await access.writeDurably { db in
            let seqs = try Int64.fetchAll(db, sql: "SELECT seq FROM compliance_events WHERE exported_at IS NULL ORDER BY seq LIMIT ?",
                                          arguments: [limit])
            guard let first = seqs.first, let last = seqs.last else { return nil }
            try db.execute(sql: "INSERT INTO compliance_exports (first_seq, last_seq, started_at) VALUES (?, ?, ?)",
                           arguments: [first, last, time])
            return ComplianceExportIntent(id: db.lastInsertedRowID, range: first...last)
        }
    }

    /// Marks the export's events exported and the export finished, in one transaction; only
    /// after its files are durably in place.
    func finishExport(_ intent: ComplianceExportIntent, files: [String], time: Int64) async throws {
        try await access.writeDurably { db in
            try db.execute(sql: "UPDATE compliance_events SET exported_at = ? WHERE seq BETWEEN ? AND ? AND exported_at IS NULL",
                           arguments: [time, intent.range.lowerBound, intent.range.upperBound])
            try db.execute(sql: "UPDATE compliance_exports SET finished_at = ?, files = ? WHERE id = ?",
                           arguments: [time, files.joined(separator: "\n"), intent.id])
        }
    }

    // MARK: Verify

    /// Walks the chain from the first event and returns the first break, or nil when every
    /// hash holds; `checked` is how many events were walked.
    func verify() async throws -> (checked: Int64, firstBreak: ComplianceChainBreak?) {
        try await access.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM compliance_events ORDER BY seq")
            var walk = ComplianceChainWalk()
            while let row = try cursor.next() {
                if let chainBreak = walk.check(ComplianceRecord(row)) { return (walk.checked, chainBreak) }
            }
            return (walk.checked, nil)
        }
    }
}

extension SalonDatabase {
    public var compliance: any ComplianceStore { SQLiteComplianceStore(access: StoreAccess(writer: writer)) }
}
