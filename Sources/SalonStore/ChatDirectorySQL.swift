import GRDB

/// A value the chat directory's SQL binds or reads, the same on both backends: the directory's
/// statements are written once (`ChatDirectoryReader`, `ChatDirectoryWriter`) and each backend
/// runs them its own way (GRDB on SQLite, `PostgresChatSQL` on PostgreSQL).
enum ChatSQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case bool(Bool)

    init(_ text: String?) { self = text.map { .text($0) } ?? .null }
    init(_ integer: Int) { self = .integer(Int64(integer)) }
}

/// One statement with `?` placeholders (none inside its literals) and its arguments in order.
struct ChatSQLStatement: Sendable {
    let sql: String
    let arguments: [ChatSQLValue]

    init(_ sql: String, _ arguments: [ChatSQLValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }
}

/// One row read back, its columns in the SELECT list's order.
struct ChatSQLRow: Sendable {
    let values: [ChatSQLValue]

    func text(_ column: Int) throws -> String {
        guard case .text(let text) = values[column] else { throw Self.mismatch(column, "text") }
        return text
    }

    func optionalText(_ column: Int) throws -> String? {
        if case .null = values[column] { return nil }
        return try text(column)
    }

    func integer(_ column: Int) throws -> Int {
        guard case .integer(let integer) = values[column], let value = Int(exactly: integer) else { throw Self.mismatch(column, "integer") }
        return value
    }

    /// SQLite keeps booleans as 0 and 1.
    func bool(_ column: Int) throws -> Bool {
        switch values[column] {
        case .bool(let bool): return bool
        case .integer(0): return false
        case .integer(1): return true
        default: throw Self.mismatch(column, "boolean")
        }
    }

    private static func mismatch(_ column: Int, _ type: String) -> StoreError {
        StoreError(.other, "corrupt chat directory: column \(column) of a row is not \(type)")
    }
}

// MARK: - SQLite

extension Database {
    /// Runs a directory statement inside the caller's transaction.
    func execute(_ statement: ChatSQLStatement) throws {
        try execute(sql: statement.sql, arguments: StatementArguments(statement.arguments.map { $0.databaseValue as (any DatabaseValueConvertible)? }))
    }

    /// The rows of a directory query.
    func chatRows(_ sql: String) throws -> [ChatSQLRow] {
        try Row.fetchAll(self, sql: sql).map { row in
            ChatSQLRow(values: try Array(row.databaseValues).map { value in
                switch value.storage {
                case .null: return .null
                case .int64(let integer): return .integer(integer)
                case .string(let text): return .text(text)
                case .double, .blob: throw StoreError(.other, "corrupt chat directory: a real or blob value")
                }
            })
        }
    }
}

extension ChatSQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .text(let text): text.databaseValue
        case .bool(let bool): bool.databaseValue
        }
    }
}
