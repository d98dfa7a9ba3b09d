import Foundation
import GRDB

/// One value of a copied row in the form both backends agree on once normalised by the target
/// column's type (`TableColumnType.canonical`): booleans are 0 or 1, bytes are bytes whichever
/// way SQLite stored them. The copy writes these, and the verification hashes them.
public enum TableCell: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case bytes([UInt8])

    /// What SQLite holds, before normalisation (reals only from a stored number SQLite could not keep as an integer).
    init(_ value: DatabaseValue) throws {
        switch value.storage {
        case .null: self = .null
        case .int64(let integer): self = .integer(integer)
        case .double(let real):
            guard let integer = Int64(exactly: real) else {
                throw StoreError(.invalidArgument, "a column holds \(real), which no copied column's type keeps")
            }
            self = .integer(integer)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .bytes([UInt8](data))
        }
    }

    /// As an argument of a SQLite keyset condition.
    var sqliteArgument: (any DatabaseValueConvertible)? {
        switch self {
        case .null: nil
        case .integer(let integer): integer
        case .text(let text): text
        case .bytes(let bytes): Data(bytes)
        }
    }
}

/// A copied column's type as PostgreSQL's catalog names it, which decides how SQLite's value
/// is converted (SQLite keeps booleans as integers, and may keep any value in any column).
public enum TableColumnType: Sendable, Hashable {
    case integer, boolean, text, bytes

    init(catalog: String) throws {
        switch catalog {
        case "bigint", "integer", "smallint": self = .integer
        case "boolean": self = .boolean
        case "text", "character varying": self = .text
        case "bytea": self = .bytes
        default: throw StoreError(.invalidArgument, "migrate does not copy columns of type \(catalog)")
        }
    }

    /// `cell` as a column of this type holds it; `column` names it in the error for a value
    /// this type cannot hold.
    func canonical(_ cell: TableCell, _ column: String) throws -> TableCell {
        switch (self, cell) {
        case (_, .null), (.integer, .integer), (.text, .text), (.bytes, .bytes): return cell
        case (.boolean, .integer(let integer)): return .integer(integer == 0 ? 0 : 1)
        case (.bytes, .text(let text)): return .bytes(Array(text.utf8))
        case (.text, .bytes(let bytes)):
            // SQLite's text arrives as its bytes (`sqlitePage`); bytes that are not UTF-8 are refused, not replaced.
            guard let text = String(bytes: bytes, encoding: .utf8) else {
                throw StoreError(.invalidArgument, "\(column) holds text that is not UTF-8")
            }
            return .text(text)
        default: throw StoreError(.invalidArgument, "\(column) holds \(cell), not a value of type \(self)")
        }
    }
}

extension MigratedTables.Table {
    /// The table's name, or a column's, quoted for SQL: names come from `MigratedTables`, never from values.
    static func quoted(_ name: String) -> String { "\"\(name)\"" }

    var quotedName: String { Self.quoted(name) }
    var columnList: String { columns.map(Self.quoted).joined(separator: ", ") }

    /// The columns as SQLite is asked for them: text as its bytes, because GRDB reads text up to
    /// the first NUL character and a NUL would be lost without a word; the copy refuses it instead.
    var sqliteColumnList: String {
        columns.map(Self.quoted).map { "CASE WHEN typeof(\($0)) = 'text' THEN CAST(\($0) AS BLOB) ELSE \($0) END" }
            .joined(separator: ", ")
    }

    /// One page of the table in key order from SQLite, after the key `after` (nil: from the
    /// start), values as SQLite holds them (text as bytes, which `canonical` turns back into text).
    func sqlitePage(_ db: Database, after: [TableCell]?, limit: Int) throws -> [[TableCell]] {
        var sql = "SELECT \(sqliteColumnList) FROM \(quotedName)"
        var arguments = StatementArguments()
        if let after {
            sql += " WHERE (\(key.map(Self.quoted).joined(separator: ", "))) > (\(key.map { _ in "?" }.joined(separator: ", ")))"
            arguments = StatementArguments(after.map(\.sqliteArgument))
        }
        sql += " ORDER BY \(key.map(Self.quoted).joined(separator: ", ")) LIMIT \(limit)"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            try (0..<row.count).map { try TableCell(row[$0] as DatabaseValue) }
        }
    }

    /// The key of `row` (a row of this table's columns), for the next page.
    func keyOf(_ row: [TableCell]) -> [TableCell] {
        key.map { row[columns.firstIndex(of: $0)!] }
    }
}
