import Foundation
import PersistentChat
import SalonSecurity
import SalonStore

/// What a backend holds of each kind the service import copies in a migration (the directory,
/// accounts, both archives: `MigratedTables.copiedByImport`), as a count and a SHA-256 over the
/// kind's records in export order, each written as the export writes it (the documents of
/// docs/EXPORT-FORMAT.md, JSON with sorted keys), so the same service on SQLite and on
/// PostgreSQL digests alike. What legitimately differs between backends (row ids, the archive's
/// internal sequences) is not in the documents, so not in the digest. The tables copied as they
/// are have their own digest (`TableDigest`).
public struct TransferDigest: Sendable, Hashable {
    /// One kind: its name for the operator, how many records, their digest (hex).
    public struct Kind: Sendable, Hashable {
        public var name: String
        public var count: Int
        public var sha256: String
    }

    public var kinds: [Kind]

    /// Reads `database` through its export source, in one snapshot.
    public static func of(_ database: any StoreBackend) async throws -> TransferDigest {
        try await database.transfer.export { source in
            var kinds: [Kind] = []
            let line = ServiceExporter.encoder(pretty: false)
            let directory = try await source.directory()
            let part = DirectoryPart(of: directory, principals: true, categories: true, rooms: true, onlyCategories: [])
            var hash = RecordDigest()
            try hash.add(line.encode(ExportDocuments.principals(of: part)))
            try hash.add(line.encode(ExportDocuments.categories(of: part)))
            try hash.add(line.encode(ExportDocuments.rooms(of: part)))
            kinds.append(hash.kind("directory (rooms)", count: directory.rooms.count))

            hash = RecordDigest()
            try await source.forEachAccount { account in hash.add(Data(XEP0227.user(account).utf8)) }
            kinds.append(hash.kind("accounts (with credentials and rosters)"))

            hash = RecordDigest()
            try await source.forEachRoomMessage(rooms: nil, since: nil) { try hash.add(line.encode(ExportDocuments.message($0))) }
            kinds.append(hash.kind("room messages"))

            hash = RecordDigest()
            try await source.forEachPersonalMessage(since: nil) { try hash.add(line.encode(ExportDocuments.personal($0))) }
            kinds.append(hash.kind("personal messages"))

            return TransferDigest(kinds: kinds)
        }
    }

    /// One line per kind comparing `self` (the source) with `other` (the target), and the
    /// first kind that differs, if any.
    public func compared(with other: TransferDigest, source: String, target: String) -> (lines: [String], firstMismatch: String?) {
        var lines: [String] = []
        var first: String?
        for (mine, theirs) in zip(kinds, other.kinds) {
            let short = mine.sha256.prefix(12)
            if mine == theirs {
                lines.append("\(mine.name): \(Self.grouped(mine.count)) on both, sha256 \(short)… matches")
            } else {
                if mine.count != theirs.count {
                    lines.append("\(mine.name): \(Self.grouped(mine.count)) in \(source), \(Self.grouped(theirs.count)) in \(target): DIFFER")
                } else {
                    lines.append("\(mine.name): \(Self.grouped(mine.count)) on both, sha256 \(short)… in \(source), "
                                 + "\(theirs.sha256.prefix(12))… in \(target): DIFFER")
                }
                first = first ?? mine.name
            }
        }
        return (lines, first)
    }

    /// 12345 as "12,345".
    static func grouped(_ count: Int) -> String {
        let digits = String(count)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// Records of one kind, each followed by a newline, into one SHA-256 (`TableDigest` digests
    /// a table's rows with it too).
    struct RecordDigest {
        let digest = StreamingDigest(.sha256)
        var count = 0

        mutating func add(_ record: Data) {
            record.withUnsafeBytes { digest.update($0) }
            Data("\n".utf8).withUnsafeBytes { digest.update($0) }
            count += 1
        }

        func kind(_ name: String, count: Int? = nil) -> Kind {
            Kind(name: name, count: count ?? self.count, sha256: Hex.encode(digest.finish()))
        }
    }
}
