import Foundation
import GRDB

extension ExportSnapshot {
    /// The compliance journal in sequence order: all of it, or (with `since`) from the first
    /// event at or after that instant to the end, so what is handed over is always one unbroken
    /// stretch of the chain.
    func forEachComplianceEvent(since: Date?, _ body: (ComplianceRecord) throws -> Void) throws {
        let first: Int64
        if let since {
            guard let seq = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM compliance_events WHERE time >= ?",
                                               arguments: [SQLiteFileStore.ms(since)]) else { return }
            first = seq
        } else {
            first = 1
        }
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM compliance_events WHERE seq >= ? ORDER BY seq", arguments: [first])
        while let row = try cursor.next() { try body(ComplianceRecord(row)) }
    }
}

/// The journal's part of an import. The imported rows keep their sequence, hashes and export
/// marks, so they must continue the chain here: every row the file shares with this journal
/// (same sequence) must be the same row (same hash) and is skipped; the rest are appended
/// only where they follow this journal's last row. A journal that went its own way (events of
/// its own where the file has others) is a conflict: the chain cannot hold both.
enum ComplianceImport {
    struct Head {
        var seq: Int64
        var hash: String
    }

    static func head(_ db: Database) throws -> Head {
        let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM compliance_events ORDER BY seq DESC LIMIT 1")
        return Head(seq: row?["seq"] ?? 0, hash: row?["hash"] ?? ComplianceChain.genesis)
    }

    /// The first reason the file's journal cannot join this one, or nil.
    static func conflict(_ source: ServiceImport.ComplianceSource, _ db: Database) throws -> String? {
        var chain = ChainCheck(head: try head(db))
        let hashAt = try db.cachedStatement(sql: "SELECT hash FROM compliance_events WHERE seq = ?")
        try source { record in
            try chain.check(record) { seq in try String.fetchOne(hashAt, arguments: [seq]) }
        }
        return chain.problem
    }

    /// The file's journal checked row by row against this one's head, the same on both
    /// backends; `hashAt` is how a backend finds the hash of one of its rows (nil: none).
    /// Stops at the first problem: after a break, every later row would be reported too.
    struct ChainCheck {
        let head: Head
        private var previous: ComplianceRecord?
        private(set) var problem: String?

        init(head: Head) { self.head = head }

        /// The sequences of this journal's rows `check` may look up for `record`.
        func lookups(_ record: ComplianceRecord) -> [Int64] {
            [record.seq - 1, record.seq].filter { $0 >= 1 && $0 <= head.seq }
        }

        mutating func check(_ record: ComplianceRecord, hashAt: (Int64) throws -> String?) rethrows {
            guard problem == nil else { return }
            problem = try Self.check(record, after: previous, head: head, hashAt: hashAt)
            previous = record
        }

        private static func check(_ record: ComplianceRecord, after previous: ComplianceRecord?, head: Head,
                                  hashAt: (Int64) throws -> String?) rethrows -> String? {
            let name = "compliance event \(record.seq)"
            guard record.seq >= 1, record.type.utf8.count <= 64, !record.type.isEmpty, record.actorBare.utf8.count <= 3 * 1024,
                  record.actorFull.utf8.count <= 3 * 1024, record.room.utf8.count <= 1024,
                  record.payload.utf8.count <= 2 * InputLimits.maxMessageBytes, (record.exportedAt ?? 0) >= 0,
                  [record.type, record.actorBare, record.actorFull, record.room, record.payload, record.prevHash, record.hash]
                      .allSatisfy(PostgresText.isStorable) else {
                return "\(name): not a well-formed journal record"
            }
            if let previous {
                guard record.seq == previous.seq + 1 else {
                    return "the compliance journal in the file jumps from event \(previous.seq) to \(record.seq)"
                }
                guard record.prevHash == previous.hash else { return "the compliance journal in the file is broken at event \(record.seq)" }
            } else if record.seq == 1 {
                guard record.prevHash == ComplianceChain.genesis else { return "the compliance journal in the file is broken at event 1" }
            } else {
                // A journal exported with --since: it continues one that is already here.
                guard record.seq - 1 <= head.seq else {
                    return "the compliance journal in the file begins at event \(record.seq); this one has \(head.seq) events, so events \(head.seq + 1)…\(record.seq - 1) would be missing"
                }
                guard try hashAt(record.seq - 1) == record.prevHash else {
                    return "the compliance journal here and the file's differ before event \(record.seq): the file's does not continue this one"
                }
            }
            let hash = ComplianceChain.hash(seq: record.seq, time: record.time, type: record.type, actorBare: record.actorBare,
                                            actorFull: record.actorFull, room: record.room, payload: record.payload,
                                            previous: record.prevHash)
            guard hash == record.hash else { return "\(name) in the file does not match its hash (changed after it was written)" }
            if record.seq <= head.seq, try hashAt(record.seq) != record.hash {
                return "the compliance journal here has another event \(record.seq) than the file (it recorded events of its own): "
                    + "a journal is imported into an empty journal or one the file continues"
            }
            return nil
        }
    }

    /// Appends the rows past this journal's head as they are; counts the others as present.
    static func write(_ source: ServiceImport.ComplianceSource, _ db: Database, _ report: inout ServiceImportReport) throws {
        let head = try head(db)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO compliance_events (seq, time, type, actor_bare, actor_full, room, payload, prev_hash, hash, exported_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var added = 0
        var present = 0
        try source { record in
            guard record.seq > head.seq else { return present += 1 }
            try insert.execute(arguments: [record.seq, record.time, record.type, record.actorBare, record.actorFull, record.room,
                                           record.payload, record.prevHash, record.hash, record.exportedAt])
            added += 1
        }
        report.complianceEventsAdded = added
        report.complianceEventsPresent = present
    }
}
