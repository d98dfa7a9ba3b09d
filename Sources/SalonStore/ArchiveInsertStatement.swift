import CSQLite
import GRDB

/// The single-row INSERT into room_messages, bound straight from Swift strings.
///
/// One row per step: a multi-row INSERT into this table runs under a statement journal (its
/// generated column makes SQLite treat every row as able to abort the statement midway), which
/// copies each index page it changes and allocates the journal's buffer in every group commit.
/// A single-row INSERT checks every constraint before it writes anything, so it needs no
/// journal, and a refused row costs only itself.
struct ArchiveInsertStatement {
    /// One row to insert: a validated message (with its timestamp in milliseconds) and its sequence.
    struct Row {
        let item: ArchiveBatchInsert.Item
        let sequence: Int64
    }

    private let connection: OpaquePointer
    private let statement: Statement
    /// The row's strings, reused from row to row.
    private var text: [UInt8] = []
    private var offsets: [Int] = []

    private static let sql = """
        INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                                   body, subject, stanza, alert, retracted)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The connection's cached statement.
    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw StoreError(.other, "the database is closed") }
        self.connection = connection
        statement = try db.cachedStatement(sql: Self.sql)
    }

    /// Inserts `row`; returns false, having written nothing, when a unique constraint refused
    /// it (its stanza-id, or its room and sequence, are taken).
    mutating func insert(_ row: Row) throws -> Bool {
        pack(row.item.message)
        let handle = statement.sqliteStatement
        let (code, extended, error) = text.withUnsafeBufferPointer { buffer -> (Int32, Int32, String?) in
            defer {
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            // A non-null address for empty strings (a null one would bind NULL).
            let base = buffer.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(Self.emptyText.utf8Start)
            var span = 0
            var failure = SQLITE_OK
            func check(_ code: Int32) {
                if failure == SQLITE_OK { failure = code }
            }
            func bindText(_ index: Int32) {
                let (offset, count) = (offsets[span], offsets[span + 1] - offsets[span])
                span += 1
                // A nil destructor is SQLITE_STATIC: SQLite reads the bytes in place during the step.
                check(sqlite3_bind_text(handle, index, base.advanced(by: offset).assumingMemoryBound(to: CChar.self),
                                        Int32(count), nil))
            }
            let message = row.item.message
            bindText(1)
            check(sqlite3_bind_int64(handle, 2, row.sequence))
            for column in Int32(3)...6 { bindText(column) }
            check(sqlite3_bind_int64(handle, 7, row.item.timestamp))
            bindText(8)
            if message.subject == nil { check(sqlite3_bind_null(handle, 9)) } else { bindText(9) }
            bindText(10)
            check(sqlite3_bind_int(handle, 11, message.alert ? 1 : 0))
            check(sqlite3_bind_int(handle, 12, message.retracted ? 1 : 0))
            if failure == SQLITE_OK { failure = sqlite3_step(handle) }
            guard failure != SQLITE_DONE else { return (failure, failure, nil) }
            // Read before the reset.
            return (failure, sqlite3_extended_errcode(connection), String(cString: sqlite3_errmsg(connection)))
        }
        if code == SQLITE_DONE { return true }
        // GRDB turns on extended result codes: the step itself may return the extended code.
        if extended == ResultCode.SQLITE_CONSTRAINT_UNIQUE.rawValue { return false }
        throw DatabaseError(resultCode: ResultCode(rawValue: extended), message: error)
    }

    private static let emptyText: StaticString = ""

    /// Lays the message's strings out back to back in binding order: string i spans
    /// offsets[i]..<offsets[i + 1]. Read in place through the item: copying the message out
    /// would retain every field.
    private mutating func pack(_ message: StoredMessage) {
        text.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        append(message.room)
        append(message.stanzaID)
        append(message.senderJID)
        append(message.nick)
        append(message.occupantID)
        append(message.body)
        if let subject = message.subject { append(subject) }
        append(message.stanza)
    }

    private mutating func append(_ string: String) {
        text.append(contentsOf: string.utf8)
        offsets.append(text.count)
    }
}
