import Foundation
import SalonSecurity
import SalonStore

/// What each table the generic copy moves (`MigratedTables.copied`) holds on one side, as a
/// count and a SHA-256 over its rows in key order, every value normalised by the PostgreSQL
/// column's type (`TableCell`) and written in one canonical form, so SQLite's rows and
/// PostgreSQL's copies of them digest alike.
enum TableDigest {
    /// The kinds of `TransferDigest`'s comparison, one per table, read from SQLite (`source`) or,
    /// when it is nil, from PostgreSQL.
    static func of(_ copier: TableCopier, source: SQLiteSnapshot?) async throws -> [TransferDigest.Kind] {
        var kinds: [TransferDigest.Kind] = []
        for table in MigratedTables.copied {
            var records = TransferDigest.RecordDigest()
            var after: [TableCell]?
            while true {
                let page = if let source {
                    try await copier.sourcePage(table, from: source, after: after)
                } else {
                    try await copier.targetPage(table, after: after)
                }
                guard let last = page.last else { break }
                for row in page { records.add(Data(canonical(row).utf8)) }
                after = table.key.map { last[table.columns.firstIndex(of: $0)!] }
            }
            kinds.append(records.kind("table \(table.name)"))
        }
        return kinds
    }

    /// One row as a line (its newline added by `RecordDigest`): each value tagged by its form,
    /// text prefixed by its length in bytes, so no two different rows write the same line.
    static func canonical(_ row: [TableCell]) -> String {
        var line = ""
        for cell in row {
            switch cell {
            case .null: line += "N;"
            case .integer(let integer): line += "I\(integer);"
            case .text(let text): line += "T\(text.utf8.count):\(text);"
            case .bytes(let bytes): line += "B\(Hex.encode(bytes));"
            }
        }
        return line
    }
}
