import GRDB
import NIOCore
import PostgresNIO

/// One SQLite state for everything a migration copies: the import and the table copy read the
/// same snapshot, so a row never refers to an account or room the import did not see.
public struct SQLiteSnapshot: Sendable {
    let reader: any DatabaseReader
}

extension SalonDatabase {
    /// A snapshot of this database (on a file, a read transaction `salon serve` writes past).
    public func migrationSnapshot() throws -> SQLiteSnapshot {
        SQLiteSnapshot(reader: try SQLiteServiceTransfer(access: StoreAccess(writer: writer)).snapshotReader())
    }

    /// The database as it is now, for comparisons after a copy.
    public var currentState: SQLiteSnapshot { SQLiteSnapshot(reader: writer) }
}

/// Copies `MigratedTables.copied` from SQLite into PostgreSQL, table by table in keyset pages,
/// each page one multi-row `INSERT … ON CONFLICT DO NOTHING` (a second run adds only what is
/// new), values converted by the target column's type, read once from PostgreSQL's catalog.
/// Also reads either side's rows in key order, normalised alike, for the verification.
public struct TableCopier: Sendable {
    /// Rows read from SQLite, or compared, at a time.
    public static let pageSize = 1_000
    /// PostgreSQL takes at most 65,535 parameters a statement.
    static let maximumParameters = 30_000

    let access: PostgresAccess
    /// Per table, per column: its type on PostgreSQL and whether it is an identity column.
    let catalog: [String: [String: (type: TableColumnType, identity: Bool)]]

    /// Reads the target's catalog and checks every copied column is there with a type the copy knows.
    public static func open(target: PostgresBackend) async throws -> TableCopier {
        let access = target.access.within(PostgresServiceTransfer.timeout)
        var catalog: [String: [String: (type: TableColumnType, identity: Bool)]] = [:]
        let rows = try await access.query("""
            SELECT table_name::text, column_name::text, data_type::text, is_identity::text
            FROM information_schema.columns WHERE table_schema = current_schema()
            """)
        var found: [String: [String: (String, Bool)]] = [:]
        for row in rows {
            let (table, column, type, identity) = try row.decode((String, String, String, String).self)
            found[table, default: [:]][column] = (type, identity == "YES")
        }
        for table in MigratedTables.copied {
            for column in table.columns {
                guard let (type, identity) = found[table.name]?[column] else {
                    throw StoreError(.invalidArgument, "PostgreSQL has no column \(table.name).\(column) to copy into")
                }
                catalog[table.name, default: [:]][column] = (try TableColumnType(catalog: type), identity)
            }
        }
        return TableCopier(access: access, catalog: catalog)
    }

    /// Copies `table` from `source`; returns how many rows were new to PostgreSQL.
    public func copy(_ table: MigratedTables.Table, from source: SQLiteSnapshot) async throws -> Int {
        let rowsPerInsert = max(1, min(Self.pageSize, Self.maximumParameters / table.columns.count))
        var added = 0
        var after: [TableCell]?
        while true {
            let page = try await sourcePage(table, from: source, after: after, limit: rowsPerInsert)
            guard let last = page.last else { break }
            added += try await insert(page, into: table)
            after = table.keyOf(last)
        }
        try await advanceIdentity(of: table)
        return added
    }

    /// A page of `table` in key order from SQLite, normalised by the target's column types.
    public func sourcePage(_ table: MigratedTables.Table, from source: SQLiteSnapshot, after: [TableCell]?,
                           limit: Int = pageSize) async throws -> [[TableCell]] {
        let rows: [[TableCell]]
        do {
            rows = try await source.reader.read { db in try table.sqlitePage(db, after: after, limit: limit) }
        } catch let error as DatabaseError {
            throw StoreError.wrapping(error)
        }
        let types = try columnTypes(table)
        return try rows.map { row in
            try zip(row, types).map { cell, column in try column.type.canonical(cell, "\(table.name).\(column.name)") }
        }
    }

    /// A page of `table` in key order from PostgreSQL, in the same form as `sourcePage`'s.
    public func targetPage(_ table: MigratedTables.Table, after: [TableCell]?, limit: Int = pageSize) async throws -> [[TableCell]] {
        let types = try columnTypes(table)
        // Text keys compare byte by byte, as SQLite's do, whatever the column's collation.
        let keys = table.key.map { key in
            MigratedTables.Table.quoted(key) + (catalog[table.name]?[key]?.type == .text ? " COLLATE \"C\"" : "")
        }.joined(separator: ", ")
        var statement = PostgresStatementBuilder("SELECT \(table.columnList) FROM \(table.quotedName)")
        if let after {
            let placeholders = try zip(after, table.key).map { cell, key in try bind(cell, as: catalog[table.name]![key]!.type, &statement) }
            statement.append(" WHERE (\(keys)) > (\(placeholders.joined(separator: ", ")))")
        }
        statement.append(" ORDER BY \(keys) LIMIT \(limit)")
        return try await access.query(statement.query).map { row in
            let cells = row.makeRandomAccess()
            return try types.enumerated().map { index, column in try Self.decode(cells[index], column.type) }
        }
    }

    private func columnTypes(_ table: MigratedTables.Table) throws -> [(name: String, type: TableColumnType)] {
        try table.columns.map { column in
            guard let entry = catalog[table.name]?[column] else {
                throw StoreError(.invalidArgument, "\(table.name).\(column) is not in PostgreSQL's catalog")
            }
            return (column, entry.type)
        }
    }

    /// One multi-row insert of `rows`; identity columns take the copied values (OVERRIDING
    /// SYSTEM VALUE), so offline messages, PEP items and downloads keep their order and ids.
    private func insert(_ rows: [[TableCell]], into table: MigratedTables.Table) async throws -> Int {
        let types = try columnTypes(table)
        let identity = table.columns.contains { catalog[table.name]?[$0]?.identity == true }
        var statement = PostgresStatementBuilder("WITH added AS (INSERT INTO \(table.quotedName) (\(table.columnList))")
        statement.append(identity ? " OVERRIDING SYSTEM VALUE VALUES " : " VALUES ")
        for (index, row) in rows.enumerated() {
            var placeholders: [String] = []
            for (cell, column) in zip(row, types) {
                if case .text(let text) = cell { try PostgresText.check(text, "\(table.name).\(column.name)") }
                placeholders.append(try bind(cell, as: column.type, &statement))
            }
            statement.append((index == 0 ? "(" : ", (") + placeholders.joined(separator: ", ") + ")")
        }
        statement.append(" ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM added")
        let count = try await access.query(statement.query).first?.decode(Int64.self) ?? 0
        return Int(count)
    }

    /// After copying explicit ids, the identity's sequence continues past the largest id, so the
    /// next row PostgreSQL numbers itself does not collide (never moved backwards).
    private func advanceIdentity(of table: MigratedTables.Table) async throws {
        for column in table.columns where catalog[table.name]?[column]?.identity == true {
            var statement = PostgresStatementBuilder("SELECT setval(s.seq, GREATEST(m.top, COALESCE(pg_sequence_last_value(s.seq), 0))) ")
            let tableName = statement.bind(table.name)
            let columnName = statement.bind(column)
            statement.append("FROM (SELECT pg_get_serial_sequence(\(tableName), \(columnName))::regclass AS seq) s, ")
            statement.append("(SELECT max(\(MigratedTables.Table.quoted(column))) AS top FROM \(table.quotedName)) m WHERE m.top IS NOT NULL")
            _ = try await access.query(statement.query)
        }
    }

    private func bind(_ cell: TableCell, as type: TableColumnType, _ statement: inout PostgresStatementBuilder) throws -> String {
        switch (cell, type) {
        case (.null, _): return statement.bindNull()
        case (.integer(let integer), .boolean): return statement.bind(integer != 0)
        case (.integer(let integer), _): return statement.bind(integer)
        case (.text(let text), _): return statement.bind(text)
        case (.bytes(let bytes), _): return statement.bind(ByteBuffer(bytes: bytes))
        }
    }

    private static func decode(_ cell: PostgresCell, _ type: TableColumnType) throws -> TableCell {
        switch type {
        case .integer: return try cell.decode(Int64?.self).map(TableCell.integer) ?? .null
        case .boolean: return try cell.decode(Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null
        case .text: return try cell.decode(String?.self).map(TableCell.text) ?? .null
        case .bytes: return try cell.decode(ByteBuffer?.self).map { .bytes(Array($0.readableBytesView)) } ?? .null
        }
    }
}
