import Foundation
import GRDB

/// Validated archive filters, rendered as SQL conditions with bound arguments (values are never
/// spliced into SQL). Messages are in archive order: by `id`, the append order, which within a
/// room is sequence order. `rooms` are the owners of the archives read: room localparts, or an
/// account's bare JID when `table` is the accounts' archive.
struct ArchiveFilter: Sendable {
    /// The most rooms, authors or ids one query may name.
    static let maxListCount = 1000

    var table: ArchiveTable = .rooms
    var rooms: [String]
    var authors: [String] = []
    var startMilliseconds: Int64?
    var endMilliseconds: Int64?
    var ids: [String]?
    var text: ArchiveTextSearch?
    var includeRetracted = true
    /// Exclusive bounds on `id` (MAM after-id/before-id, resolved to ids).
    var afterPosition: Int64?
    var beforePosition: Int64?

    /// Validates rooms, authors, dates, ids and text.
    init(table: ArchiveTable = .rooms, rooms: [String], authors: [String], start: Date?, end: Date?, ids: [String]?,
         text: TextFilter?, includeRetracted: Bool) throws {
        self.table = table
        var seen = Set<String>()
        self.rooms = rooms.filter { seen.insert($0).inserted }
        guard !self.rooms.isEmpty else { throw ArchiveError(.invalid, "name at least one room") }
        for list in [self.rooms, authors, ids ?? []] where list.count > Self.maxListCount {
            throw ArchiveError(.invalid, "at most \(Self.maxListCount) rooms, authors or ids")
        }
        for room in self.rooms where room.isEmpty || room.utf8.count > table.maxOwnerBytes {
            throw ArchiveError(.invalid, table.owner == "room" ? "malformed room localpart" : "malformed archive owner")
        }
        for token in authors + (ids ?? []) where token.utf8.count > InputLimits.maxMessageTokenBytes * 3 {
            throw ArchiveError(.invalid, "author or id longer than \(InputLimits.maxMessageTokenBytes * 3) bytes")
        }
        // PostgreSQL's text holds no NUL (nor does XML): refused on both backends alike.
        for name in self.rooms + authors + (ids ?? []) where !PostgresText.isStorable(name) {
            throw ArchiveError(.invalid, "a room, author or id contains a NUL character")
        }
        self.authors = authors
        self.ids = ids
        startMilliseconds = try start.map(Self.milliseconds)
        endMilliseconds = try end.map(Self.milliseconds)
        self.text = try text.map(ArchiveTextSearch.init)
        self.includeRetracted = includeRetracted
    }

    /// Milliseconds since 1970, clamped to the storable range; throws for a time that is not a number.
    static func milliseconds(_ date: Date) throws -> Int64 {
        let seconds = date.timeIntervalSince1970
        guard !seconds.isNaN else { throw ArchiveError(.invalid, "time is not a number") }
        let range = InputLimits.timestampRange
        return Int64((Swift.min(Swift.max(seconds, range.lowerBound), range.upperBound) * 1000).rounded())
    }

    /// Whether only the room list restricts the result, so per-room counts answer COUNT(*).
    var isRoomsOnly: Bool {
        authors.isEmpty && startMilliseconds == nil && endMilliseconds == nil && ids == nil && text == nil
            && includeRetracted && afterPosition == nil && beforePosition == nil
    }

    /// The same rooms with no other restriction: everything they hold.
    var roomsOnly: ArchiveFilter {
        var all = self
        all.authors = []
        all.startMilliseconds = nil
        all.endMilliseconds = nil
        all.ids = nil
        all.text = nil
        all.includeRetracted = true
        all.afterPosition = nil
        all.beforePosition = nil
        return all
    }

    /// The FROM clause: with text, the FTS5 table drives the join (CROSS JOIN keeps it outermost,
    /// so it yields matches in rowid order and stops early). Message columns are under `m`.
    var from: String {
        text == nil ? "\(table.messages) m" : "\(table.index) CROSS JOIN \(table.messages) m ON m.id = \(table.index).rowid"
    }

    /// The column giving archive order: the FTS5 rowid when searching, so FTS5 consumes ORDER BY and ranges.
    var orderColumn: String { text == nil ? "m.id" : "\(table.index).rowid" }

    /// The WHERE clause (without the keyword) and its arguments.
    func whereClause() -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let text {
            conditions.append("\(table.index) MATCH ?")
            arguments += [matchExpression(text)]
            if !text.verbatim.isEmpty {
                let tests = Array(repeating: "instr(m.body, ?) > 0", count: text.verbatim.count)
                conditions.append("(" + tests.joined(separator: text.anyVerbatim ? " OR " : " AND ") + ")")
                arguments += StatementArguments(text.verbatim)
            }
        }
        conditions.append(Self.membership("m.\(table.owner)", count: rooms.count))
        arguments += StatementArguments(rooms)
        if !authors.isEmpty {
            let (sql, values) = table.authorCondition(authors)
            conditions.append(sql)
            arguments += StatementArguments(values)
        }
        if let ids {
            if ids.isEmpty {
                conditions.append("0")
            } else {
                conditions.append(Self.membership("m.stanza_id", count: ids.count))
                arguments += StatementArguments(ids)
            }
        }
        if let startMilliseconds {
            conditions.append("m.timestamp >= ?")
            arguments += [startMilliseconds]
        }
        if let endMilliseconds {
            conditions.append("m.timestamp <= ?")
            arguments += [endMilliseconds]
        }
        if !includeRetracted {
            conditions.append("m.retracted = 0")
        }
        if let afterPosition {
            conditions.append("\(orderColumn) > ?")
            arguments += [afterPosition]
        }
        if let beforePosition {
            conditions.append("\(orderColumn) < ?")
            arguments += [beforePosition]
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    /// The FTS5 query: the words in bodies, within the rooms' tokens.
    func matchExpression(_ text: ArchiveTextSearch) -> String {
        "body : (\(text.expression)) AND \(table.ownerKey) : (" + rooms.map(table.ownerToken).joined(separator: " OR ") + ")"
    }

    /// `column = ?` or `column IN (?, ?, …)` for `count` placeholders.
    static func membership(_ column: String, count: Int) -> String {
        count == 1 ? "\(column) = ?" : "\(column) IN (" + Array(repeating: "?", count: count).joined(separator: ", ") + ")"
    }

    /// The position (id) of the message `stanzaID` in one of the filter's rooms; throws itemNotFound.
    func position(of stanzaID: String, _ db: Database) throws -> Int64 {
        var arguments: StatementArguments = [stanzaID]
        arguments += StatementArguments(rooms)
        let sql = "SELECT id FROM \(table.messages) m WHERE stanza_id = ? AND " + Self.membership("m.\(table.owner)", count: rooms.count)
        guard let id = try Int64.fetchOne(db, sql: sql, arguments: arguments) else {
            throw ArchiveError(.itemNotFound, "no message \(stanzaID.prefix(64)) in the queried rooms")
        }
        return id
    }

    /// How many messages match.
    func count(_ db: Database) throws -> Int {
        if isRoomsOnly {
            let sql = "SELECT COALESCE(SUM(total), 0) FROM \(table.counts) m WHERE "
                + Self.membership("m.\(table.owner)", count: rooms.count)
            return try Int.fetchOne(db, sql: sql, arguments: StatementArguments(rooms)) ?? 0
        }
        if let text, text.verbatim.isEmpty, authors.isEmpty, startMilliseconds == nil, endMilliseconds == nil, ids == nil {
            // FTS5 alone knows words and rooms: no row lookups. Tombstones have no words, so
            // includeRetracted changes nothing here.
            var sql = "SELECT COUNT(*) FROM \(table.index) WHERE \(table.index) MATCH ?"
            var arguments: StatementArguments = [matchExpression(text)]
            if let afterPosition {
                sql += " AND rowid > ?"
                arguments += [afterPosition]
            }
            if let beforePosition {
                sql += " AND rowid < ?"
                arguments += [beforePosition]
            }
            return try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
        let (conditions, arguments) = whereClause()
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(from) WHERE \(conditions)", arguments: arguments) ?? 0
    }

    /// The ids of every matching message, in archive order.
    func matchingIDs(_ db: Database) throws -> [Int64] {
        let (conditions, arguments) = whereClause()
        return try Int64.fetchAll(db, sql: "SELECT m.id FROM \(from) WHERE \(conditions) ORDER BY \(orderColumn)",
                                  arguments: arguments)
    }
}
