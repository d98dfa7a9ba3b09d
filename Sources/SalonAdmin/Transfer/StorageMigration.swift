import SalonStore

/// `salon storage migrate`: copies a SQLite installation into another backend through the
/// import (so running it again copies only what is new), then compares what both hold, kind by
/// kind (`TransferDigest`).
public struct StorageMigration: Sendable {
    /// What the copy and the comparison found.
    public struct Outcome: Sendable {
        public var report: ServiceImportReport
        /// One line per kind: counts on both sides and whether the digests match.
        public var lines: [String]
        /// The first kind that differs; nil when everything matches.
        public var firstMismatch: String?
    }

    /// What the stores keep that a service export does not carry, so a migration does not copy
    /// it: the command prints this, and the README lists it.
    public static let notCopied = [
        "offline messages", "blocklists", "vCards", "private XML storage", "PEP nodes and items", "push registrations",
        "room-page sessions", "room invitations and joins", "room vCards", "archiving preferences",
        "compliance settings and export records", "unposted, unfinished or revoked uploads and download records",
    ]

    let source: SalonDatabase
    let target: any StoreBackend

    public init(source: SalonDatabase, target: any StoreBackend) {
        self.source = source
        self.target = target
    }

    /// Copies what is not yet in the target, then compares. With conflicts nothing is copied
    /// and nothing compared.
    public func run(sourceName: String = "SQLite", targetName: String = "PostgreSQL") async throws -> Outcome {
        let report = try await target.transfer.importService(try await source.snapshotImport(), dryRun: false)
        guard report.conflicts.isEmpty else { return Outcome(report: report, lines: [], firstMismatch: nil) }
        let metadata = try await source.metadataEntries()
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            _ = try await target.accounts.metadata(key, storingIfAbsent: value)
        }
        let before = try await TransferDigest.of(source)
        let after = try await TransferDigest.of(target)
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
        return Outcome(report: report, lines: lines, firstMismatch: first)
    }
}
