import CSQLite
import GRDB

/// Multi-row INSERTs into room_messages, bound straight from Swift strings.
///
/// Few statements per group commit: each row-by-row statement costs a step, a reset and its
/// triggers' set-up. Preparing a 1000-row INSERT costs about as much as running it, so
/// statements come in power-of-two sizes that stay prepared in the connection's statement
/// cache, and a batch of any size is inserted by at most one statement per set bit of its count.
enum ArchiveInsertStatement {
    /// One row to insert: a validated message (with its timestamp in milliseconds) and its sequence.
    struct Row {
        let item: ArchiveBatchInsert.Item
        let sequence: Int64
    }

    /// Bound parameters per row.
    static let columnsPerRow = 12
    /// The most rows one statement inserts (a power of two).
    static let largestRows = 1024

    /// The most rows one statement may insert on this connection: a power of two within its
    /// parameter limit.
    static func maxRows(_ db: Database) -> Int {
        guard let connection = db.sqliteConnection else { return 1 }
        let parameters = Int(sqlite3_limit(connection, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
        return powerOfTwo(atMost: min(largestRows, parameters / columnsPerRow))
    }

    /// The largest power of two not above `count` (1 for counts below 2).
    static func powerOfTwo(atMost count: Int) -> Int {
        count < 2 ? 1 : 1 << (Int.bitWidth - 1 - count.leadingZeroBitCount)
    }

    /// Inserts `rows` with as few statements as their count allows (one when it is a power of
    /// two no larger than `maxRows`).
    static func insert(_ rows: [Row], _ db: Database) throws {
        let largest = maxRows(db)
        var start = 0
        while start < rows.count {
            let count = min(largest, powerOfTwo(atMost: rows.count - start))
            try insertChunk(rows[start..<start + count], db)
            start += count
        }
    }

    /// The INSERT for `1 << exponent` rows, by exponent.
    private static let sqlByExponent: [String] = (0...largestRows.trailingZeroBitCount).map { exponent in
        let tuple = "(" + Array(repeating: "?", count: columnsPerRow).joined(separator: ",") + ")"
        return """
            INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp,
                                       body, subject, stanza, alert, retracted)
            VALUES
            """ + Array(repeating: tuple, count: 1 << exponent).joined(separator: ",")
    }

    /// Runs the cached statement for `rows.count` rows (a power of two), binding every string
    /// without copying: all of them are packed into one buffer that outlives the step.
    private static func insertChunk(_ rows: ArraySlice<Row>, _ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw StoreError(.other, "the database is closed") }
        let statement = try db.cachedStatement(sql: sqlByExponent[rows.count.trailingZeroBitCount])
        let handle = statement.sqliteStatement
        let text = PackedText(rows)
        try text.bytes.withUnsafeBufferPointer { buffer in
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
                let (offset, count) = (text.offsets[span], text.offsets[span + 1] - text.offsets[span])
                span += 1
                // A nil destructor is SQLITE_STATIC: SQLite reads the bytes in place during the step.
                check(sqlite3_bind_text(handle, index, base.advanced(by: offset).assumingMemoryBound(to: CChar.self),
                                        Int32(count), nil))
            }
            for (row, entry) in rows.enumerated() {
                let first = Int32(row * columnsPerRow)
                bindText(first + 1)
                check(sqlite3_bind_int64(handle, first + 2, entry.sequence))
                for column in 3...6 { bindText(first + Int32(column)) }
                check(sqlite3_bind_int64(handle, first + 7, entry.item.timestamp))
                bindText(first + 8)
                if entry.item.message.subject == nil { check(sqlite3_bind_null(handle, first + 9)) } else { bindText(first + 9) }
                bindText(first + 10)
                check(sqlite3_bind_int(handle, first + 11, entry.item.message.alert ? 1 : 0))
                check(sqlite3_bind_int(handle, first + 12, entry.item.message.retracted ? 1 : 0))
            }
            if failure == SQLITE_OK { failure = sqlite3_step(handle) }
            guard failure == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: failure), message: String(cString: sqlite3_errmsg(connection)))
            }
            guard sqlite3_changes(connection) == Int32(rows.count) else {
                throw StoreError(.other, "archive insert wrote \(sqlite3_changes(connection)) of \(rows.count) rows")
            }
        }
    }

    private static let emptyText: StaticString = ""

    /// The UTF-8 of every string a chunk binds, back to back, in binding order; string i spans
    /// offsets[i]..<offsets[i + 1].
    private struct PackedText {
        var bytes: [UInt8] = []
        var offsets: [Int] = [0]

        init(_ rows: ArraySlice<Row>) {
            bytes.reserveCapacity(rows.count * 512)
            offsets.reserveCapacity(rows.count * 7 + 1)
            for row in rows {
                // Read in place through the item: copying the message out would retain every field.
                append(row.item.message.room)
                append(row.item.message.stanzaID)
                append(row.item.message.senderJID)
                append(row.item.message.nick)
                append(row.item.message.occupantID)
                append(row.item.message.body)
                if let subject = row.item.message.subject { append(subject) }
                append(row.item.message.stanza)
            }
        }

        private mutating func append(_ string: String) {
            bytes.append(contentsOf: string.utf8)
            offsets.append(bytes.count)
        }
    }
}
