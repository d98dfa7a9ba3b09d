import CSQLite
import GRDB

/// A multi-row INSERT into room_messages as a raw prepared statement, bound straight from Swift
/// strings. One statement per chunk matters: FTS5 flushes its pending terms into a new segment
/// at every statement that writes it (each opens a savepoint), so row-by-row inserts would
/// write, and later merge, one tiny segment per message.
/// Lives for one batch, on the writer's queue, inside its transaction.
final class ArchiveInsertStatement {
    /// Bound parameters per row.
    static let columnsPerRow: Int32 = 12

    /// The rows the statement inserts.
    let rows: Int
    private let connection: OpaquePointer
    private let handle: OpaquePointer

    /// SQLite's SQLITE_TRANSIENT (copy the bytes), which C declares as a cast Swift cannot import.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// The most rows one statement may insert on this connection (bounded by its parameter limit).
    static func maxRows(_ db: Database) -> Int {
        guard let connection = db.sqliteConnection else { return 1 }
        let parameters = sqlite3_limit(connection, SQLITE_LIMIT_VARIABLE_NUMBER, -1)
        return max(1, min(1000, Int(parameters / columnsPerRow)))
    }

    /// Prepares an INSERT of `rows` rows (1…maxRows).
    init(_ db: Database, rows: Int) throws {
        guard let connection = db.sqliteConnection else { throw StoreError(.other, "the database is closed") }
        self.connection = connection
        self.rows = rows
        let tuple = "(" + Array(repeating: "?", count: Int(Self.columnsPerRow)).joined(separator: ",") + ")"
        let sql = """
            INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                                       body, subject, stanza, alert, retracted)
            VALUES
            """ + Array(repeating: tuple, count: rows).joined(separator: ",")
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v2(connection, sql, -1, &handle, nil)
        guard code == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
        self.handle = handle
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds one validated message as row `row` (0-based).
    func bind(row: Int, _ message: StoredMessage, sequence: Int64, timestamp: Int64) throws {
        let base = Int32(row) * Self.columnsPerRow
        try bind(base + 1, message.room)
        try check(sqlite3_bind_int64(handle, base + 2, sequence))
        try bind(base + 3, message.stanzaID)
        try bind(base + 4, message.senderJID)
        try bind(base + 5, message.nick)
        try bind(base + 6, message.occupantID)
        try check(sqlite3_bind_int64(handle, base + 7, timestamp))
        try bind(base + 8, message.body)
        if let subject = message.subject {
            try bind(base + 9, subject)
        } else {
            try check(sqlite3_bind_null(handle, base + 9))
        }
        try bind(base + 10, message.stanza)
        try check(sqlite3_bind_int(handle, base + 11, message.alert ? 1 : 0))
        try check(sqlite3_bind_int(handle, base + 12, message.retracted ? 1 : 0))
    }

    /// Runs the statement once every row is bound, then clears it for the next chunk.
    func execute() throws {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        try check(sqlite3_step(handle), expected: SQLITE_DONE)
        guard sqlite3_changes(connection) == Int32(rows) else {
            throw StoreError(.other, "archive insert wrote \(sqlite3_changes(connection)) of \(rows) rows")
        }
    }

    private func bind(_ index: Int32, _ text: String) throws {
        var text = text
        let code = text.withUTF8 { bytes in
            guard let address = bytes.baseAddress, !bytes.isEmpty else {
                // No address would bind NULL: bind the empty string itself.
                return sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
            return UnsafeRawPointer(address).withMemoryRebound(to: CChar.self, capacity: bytes.count) { characters in
                sqlite3_bind_text(handle, index, characters, Int32(clamping: bytes.count), Self.transient)
            }
        }
        try check(code)
    }

    private func check(_ code: Int32, expected: Int32 = SQLITE_OK) throws {
        guard code == expected else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
    }
}
