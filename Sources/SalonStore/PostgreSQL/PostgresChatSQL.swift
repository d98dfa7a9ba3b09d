import PostgresNIO

/// Runs the chat directory's shared statements (`ChatDirectoryReader`, `ChatDirectoryWriter`)
/// on PostgreSQL: `?` placeholders become `$1`…, every value bound.
enum PostgresChatSQL {
    static func query(_ statement: ChatSQLStatement) throws -> PostgresQuery {
        var sql = ""
        var index = 0
        for character in statement.sql {
            if character == "?" {
                index += 1
                sql += "$\(index)"
            } else {
                sql.append(character)
            }
        }
        guard index == statement.arguments.count else {
            throw StoreError(.other, "a chat statement has \(index) placeholders for \(statement.arguments.count) arguments")
        }
        var bindings = PostgresBindings(capacity: index)
        for argument in statement.arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .text(let text): bindings.append(text)
            case .bool(let bool): bindings.append(bool)
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static func rows(_ sql: String, _ transaction: PostgresAccess.Transaction) async throws -> [ChatSQLRow] {
        try await transaction.query(PostgresQuery(unsafeSQL: sql)).map(row)
    }

    /// The cells of a row as the directory reads them (text, integers and booleans).
    static func row(_ row: PostgresRow) throws -> ChatSQLRow {
        ChatSQLRow(values: try row.map { cell in
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .bool: return .bool(try cell.decode(Bool.self))
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .text, .varchar: return .text(try cell.decode(String.self))
            default: throw StoreError(.other, "corrupt chat directory: column \(cell.columnName) has type \(cell.dataType)")
            }
        })
    }
}
