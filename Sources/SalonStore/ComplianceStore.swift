import Foundation
import GRDB
import PersistentChat

/// One journal row as stored.
public struct ComplianceRecord: Sendable, Hashable {
    public var seq: Int64
    public var time: Int64
    public var type: String
    public var actorBare: String
    public var actorFull: String
    public var room: String
    public var payload: String
    public var prevHash: String
    public var hash: String
    public var exportedAt: Int64?

    init(_ row: Row) {
        seq = row["seq"]
        time = row["time"]
        type = row["type"]
        actorBare = row["actor_bare"]
        actorFull = row["actor_full"]
        room = row["room"]
        payload = row["payload"]
        prevHash = row["prev_hash"]
        hash = row["hash"]
        exportedAt = row["exported_at"]
    }
}

/// Who makes an administrative change the store journals itself, and when.
public struct ComplianceActor: Sendable {
    public var actor: String
    public var session: String
    public var time: Int64

    public init(actor: String, session: String = "", time: Int64) {
        self.actor = actor
        self.session = session
        self.time = time
    }
}

/// The first place the chain does not hold, or nil: the row's sequence and why.
public struct ComplianceChainBreak: Sendable, Hashable, CustomStringConvertible {
    public var seq: Int64
    public var reason: String
    public var description: String { "event \(seq): \(reason)" }
}

/// The compliance journal, its settings and its exports (SQL only here).
public struct ComplianceStore: Sendable {
    let access: StoreAccess

    /// Appends events durably (one transaction, synchronous=FULL); returns the last sequence.
    @discardableResult
    public func append(_ events: [ComplianceEvent]) async throws -> Int64 {
        try await access.writeDurably { db in try ComplianceJournalInsert.insert(events, db) }
    }

    /// The settings stored by `salon compliance set` or the ad-hoc command over `defaults` (the
    /// configuration file's).
    public func settings(defaults: ComplianceSettings) async throws -> ComplianceSettings {
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
    public func set(_ key: String, to value: String, defaults: ComplianceSettings, actor: String, session: String = "",
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
    public func pending(after seq: Int64 = 0, limit: Int) async throws -> [ComplianceRecord] {
        try await access.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM compliance_events WHERE exported_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
                             arguments: [seq, limit]).map(ComplianceRecord.init)
        }
    }

    /// Events `first...last`, in order.
    public func events(_ range: ClosedRange<Int64>) async throws -> [ComplianceRecord] {
        try await access.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM compliance_events WHERE seq BETWEEN ? AND ? ORDER BY seq",
                             arguments: [range.lowerBound, range.upperBound]).map(ComplianceRecord.init)
        }
    }

    /// How many events there are, and how many wait for export.
    public func counts() async throws -> (total: Int, pending: Int) {
        try await access.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM compliance_events") ?? 0
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM compliance_events WHERE exported_at IS NULL") ?? 0
            return (total, pending)
        }
    }

    // MARK: Exports

    /// An export begun and not finished: the events it covers are fixed when it begins, so a
    /// run after a crash writes the same files again (same names, same content) and finishes it.
    public struct ExportIntent: Sendable, Hashable {
        public var id: Int64
        public var range: ClosedRange<Int64>
    }

    /// The unfinished export, if a run died before marking its events.
    public func unfinishedExport() async throws -> ExportIntent? {
        try await access.read { db in
            try Row.fetchOne(db, sql: "SELECT id, first_seq, last_seq FROM compliance_exports WHERE finished_at IS NULL ORDER BY id LIMIT 1")
                .map { ExportIntent(id: $0["id"], range: ($0["first_seq"] as Int64)...($0["last_seq"] as Int64)) }
        }
    }

    /// Begins an export of the oldest pending events (at most `limit`); nil when none wait.
    public func beginExport(limit: Int, time: Int64) async throws -> ExportIntent? {
        try await access.writeDurably { db in
            let seqs = try Int64.fetchAll(db, sql: "SELECT seq FROM compliance_events WHERE exported_at IS NULL ORDER BY seq LIMIT ?",
                                          arguments: [limit])
            guard let first = seqs.first, let last = seqs.last else { return nil }
            try db.execute(sql: "INSERT INTO compliance_exports (first_seq, last_seq, started_at) VALUES (?, ?, ?)",
                           arguments: [first, last, time])
            return ExportIntent(id: db.lastInsertedRowID, range: first...last)
        }
    }

    /// Marks the export's events exported and the export finished, in one transaction; only
    /// after its files are durably in place.
    public func finishExport(_ intent: ExportIntent, files: [String], time: Int64) async throws {
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
    public func verify() async throws -> (checked: Int64, firstBreak: ComplianceChainBreak?) {
        try await access.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM compliance_events ORDER BY seq")
            var expectedSeq: Int64 = 1
            var previous = ComplianceChain.genesis
            var checked: Int64 = 0
            while let row = try cursor.next() {
                let record = ComplianceRecord(row)
                if record.seq != expectedSeq {
                    return (checked, ComplianceChainBreak(seq: record.seq, reason: "events \(expectedSeq)…\(record.seq - 1) are missing"))
                }
                if record.prevHash != previous {
                    return (checked, ComplianceChainBreak(seq: record.seq, reason: "its previous hash is not the hash of the event before it"))
                }
                let hash = ComplianceChain.hash(seq: record.seq, time: record.time, type: record.type, actorBare: record.actorBare,
                                                actorFull: record.actorFull, room: record.room, payload: record.payload,
                                                previous: record.prevHash)
                if hash != record.hash {
                    return (checked, ComplianceChainBreak(seq: record.seq, reason: "its content does not match its hash (changed after it was written)"))
                }
                previous = record.hash
                expectedSeq += 1
                checked += 1
            }
            return (checked, nil)
        }
    }
}

extension SalonDatabase {
    public var compliance: ComplianceStore { ComplianceStore(access: StoreAccess(writer: writer)) }
}
