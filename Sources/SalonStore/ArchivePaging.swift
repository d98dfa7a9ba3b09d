import GRDB

/// Runs one XEP-0313 query with XEP-0059 paging inside a read transaction (one snapshot, so
/// the page and its count agree).
struct ArchivePaging: Sendable {
    /// The largest page, in messages…
    static let maxPageSize = 1000
    /// … and in bytes of stored stanzas: past it the page ends early, incomplete, as XEP-0313
    /// allows, and the client asks for the next one.
    public static let maxPageBytes = 1 << 20

    let query: ArchiveQuery
    let filter: ArchiveFilter

    /// Validates the query's filters.
    init(_ query: ArchiveQuery) throws {
        self.query = query
        filter = try ArchiveFilter(rooms: query.rooms, authors: query.authors, start: query.start, end: query.end,
                                   ids: query.ids, text: query.text, includeRetracted: query.includeRetracted)
        for id in [query.afterID, query.beforeID, query.after, query.before].compactMap({ $0 })
        where id.utf8.count > InputLimits.maxMessageTokenBytes {
            throw ArchiveError(.itemNotFound, "no message with an id that long")
        }
    }

    func run(_ db: Database) throws -> ArchivePage {
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
            SELECT \(ChatStore.qualifiedMessageColumns) FROM \(window.from) WHERE \(conditions)
            ORDER BY \(window.orderColumn) \(backward ? "DESC" : "ASC") LIMIT ?
            """
        // Rows are read one at a time and the page ends early once it holds `maxPageBytes`
        // (it keeps at least one message): a page of large messages is not built whole in memory.
        var messages: [StoredMessage] = []
        var bytes = 0
        var complete = true
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments + [limit + 1])
        while let row = try rows.next() {
            guard messages.count < limit, messages.isEmpty || bytes < Self.maxPageBytes else {
                complete = false
                break
            }
            let message = try ChatStore.message(from: row)
            bytes += message.stanza.utf8.count + message.body.utf8.count
            messages.append(message)
        }
        if backward {
            messages.reverse()
        }
        if query.flip {
            messages.reverse()
        }
        return ArchivePage(messages: messages, complete: complete, count: count,
                           first: messages.first?.stanzaID, last: messages.last?.stanzaID)
    }
}
