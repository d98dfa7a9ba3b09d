import SalonStore

/// `salon storage migrate`: copies a SQLite installation into PostgreSQL, then compares what
/// both hold. One snapshot of SQLite feeds two copies that never overlap: the service import
/// for the tables the backends shape differently (accounts, directory, archives), the generic
/// `TableCopier` for every other table (`MigratedTables`). Running it again copies only what is
/// new: the import skips what is there, the copier's inserts do nothing on a conflict.
public struct StorageMigration: Sendable {
    /// What the copy and the comparison found.
    public struct Outcome: Sendable {
        public var report: ServiceImportReport
        /// Rows new to PostgreSQL per table the generic copy moves, in `MigratedTables.copied`'s order.
        public var tablesAdded: [(table: String, rows: Int)]
        /// One line per kind and table: counts on both sides and whether the digests match.
        public var lines: [String]
        /// The first kind or table that differs; nil when everything matches.
        public var firstMismatch: String?
    }

    let source: SalonDatabase
    let target: PostgresBackend

    public init(source: SalonDatabase, target: PostgresBackend) {
        self.source = source
        self.target = target
    }

    /// Copies what is not yet in the target, then compares. With conflicts nothing is copied
    /// and nothing compared.
    public func run(sourceName: String = "SQLite", targetName: String = "PostgreSQL") async throws -> Outcome {
        let snapshot = try source.migrationSnapshot()
        let report = try await target.transfer.importService(try await source.snapshotImport(snapshot), dryRun: false)
        guard report.conflicts.isEmpty else { return Outcome(report: report, tablesAdded: [], lines: [], firstMismatch: nil) }
        let metadata = try await source.metadataEntries()
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            _ = try await target.accounts.metadata(key, storingIfAbsent: value)
        }
        let copier = try await TableCopier.open(target: target)
        var added: [(table: String, rows: Int)] = []
        for table in MigratedTables.copied {
            added.append((table.name, try await copier.copy(table, from: snapshot)))
        }
        try await target.analyze()

        // Both sides as they are now: what `salon serve` wrote after the snapshot shows as a difference.
        var before = try await TransferDigest.of(source)
        var after = try await TransferDigest.of(target)
        before.kinds += try await TableDigest.of(copier, source: source.currentState)
        after.kinds += try await TableDigest.of(copier, source: nil)
        var (lines, first) = before.compared(with: after, source: sourceName, target: targetName)
        // Compared key by key, never printed: the values are the server's secrets.
        var differing: [String] = []
        for (key, value) in try await source.metadataEntries().sorted(by: { $0.key < $1.key }) {
            if try await target.accounts.metadata(key) != value { differing.append(key) }
        }
        if differing.isEmpty {
            lines.append("service metadata: \(TransferDigest.grouped(metadata.count)) entries on both, matches")
        } else {
            lines.append("service metadata: \(differing.joined(separator: ", ")) differ in \(targetName): DIFFER")
            first = first ?? "service metadata"
        }
        return Outcome(report: report, tablesAdded: added, lines: lines, firstMismatch: first)
    }

    /// What the copy added, for the operator: the import's part (files and the journal are the
    /// table copy's, so the import's own line, which counts them, would say 0), then the tables'.
    public static func copyLines(_ outcome: Outcome) -> [String] {
        let report = outcome.report
        guard report.conflicts.isEmpty else { return report.lines(dryRun: false) }
        let added = outcome.tablesAdded.filter { $0.rows > 0 }.map { "\($0.table) \(TransferDigest.grouped($0.rows))" }
        return ["added \(report.accountsAdded) accounts (\(report.accountsPresent) already here), \(report.rosterItemsAdded) roster items, "
                + "\(report.messagesAdded) messages (\(report.messagesPresent) already here), "
                + "\(report.personalMessagesAdded) personal messages (\(report.personalMessagesPresent) already here)"]
            + report.added.map { "added \($0)" } + report.kept.map { "kept \($0)" }
            + ["added table by table: \(added.isEmpty ? "nothing new" : added.joined(separator: ", "))"]
    }

    /// The tables deliberately not copied, with the reason, for the command's output.
    public static var notCopied: [String] {
        MigratedTables.notCopied.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
    }
}
