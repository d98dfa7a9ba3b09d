import GRDB

/// A message one of the archives returns (`ArchiveTable`): how to read it from a row.
protocol ArchiveRecord: ArchivePageItem {
    /// The archive it is read from.
    static var table: ArchiveTable { get }
    /// The columns to select, qualified by the alias `m`.
    static var qualifiedColumns: String { get }
    /// Decodes a row selected with `qualifiedColumns`.
    init(row: Row) throws
}

extension StoredMessage: ArchiveRecord {
    static var table: ArchiveTable { .rooms }
    static var qualifiedColumns: String { SQLiteChatStore.qualifiedMessageColumns }
    init(row: Row) throws { self = try SQLiteChatStore.message(from: row) }
    var pageBytes: Int { stanza.utf8.count + body.utf8.count }
}

/// Runs one XEP-0313 query with XEP-0059 paging inside a read transaction (one snapshot, so
/// the page and its count agree), in the archive `Record` comes from.
struct ArchivePaging<Record: ArchiveRecord>: Sendable {
    /// The largest page, in messages…
    static var maxPageSize: Int { ArchivePageLimits.maxPageSize }
    /// … and in bytes of stored stanzas: past it the page ends early, incomplete, as XEP-0313
    /// allows, and the client asks for the next one.
    static var maxPageBytes: Int { ArchivePageLimits.maxPageBytes }

    let query: ArchiveQuery
    let filter: ArchiveFilter

    /// Validates the query's filters.
    init(_ query: ArchiveQuery) throws {
        self.query = query
        filter = try ArchiveFilter(table: Record.table, rooms: query.rooms, authors: query.authors, start: query.start, end: query.end,
                                   ids: query.ids, text: query.text, includeRetracted: query.includeRetracted)
        for id in [query.afterID, query.beforeID, query.after, query.before].compactMap({ $0 })
        where id.utf8.count > InputLimits.maxMessageTokenBytes {
            throw ArchiveError(.itemNotFound, "no message with an id that long")
        }
        for id in [query.afterID, query.beforeID, query.after, query.before].compactMap({ $0 }) where !PostgresText.isStorable(id) {
            throw ArchiveError(.itemNotFound, "no message with a NUL character in its id")
        }
    }

    func run(_ db: Database) throws -> ArchiveResultPage<Record> {
        var filter = self.filter
        if let afterID = query.afterID {
            filter.afterPosition = try filter.position(of: afterID, db)
        }
        if let beforeID = query.beforeID {
            filter.beforePosition = try filter.position(of: beforeID, db)
        }
        let count = try filter.count(db)

        // The paging window: after/before cursors narrow further, and before (even "") pages backward.
        var window = filter
        if let after = query.after {
            let position = try filter.position(of: after, db)
            window.afterPosition = Swift.max(window.afterPosition ?? position, position)
        }
        let backward = query.before != nil
        if let before = query.before, !before.isEmpty {
            let position = try filter.position(of: before, db)
            window.beforePosition = Swift.min(window.beforePosition ?? position, position)
        }

        let limit = query.max == 0 ? 0 : Swift.min(Swift.max(query.max, 1), Self.maxPageSize)
        let (conditions, arguments) = window.whereClause()
        let sql = """
            SELECT \(Record.qualifiedColumns) FROM \(window.from) WHERE \(conditions)
            ORDER BY \(window.orderColumn) \(backward ? "DESC" : "ASC") LIMIT ?
            """
        var fill = ArchivePageFill<Record>(limit: limit)
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments + [limit + 1])
        while let row = try rows.next(), fill.admitsMore() {
            fill.append(try Record(row: row))
        }
        return fill.page(count: count, backward: backward, flip: query.flip)
    }
}

/// The bounds on one page of any archive.
public enum ArchivePageLimits {
    /// The most messages in a page (a larger XEP-0059 max is clamped to it).
    public static let maxPageSize = 1000
    /// The most bytes of stored stanzas in a page.
    public static let maxPageBytes = 1 << 20
}
