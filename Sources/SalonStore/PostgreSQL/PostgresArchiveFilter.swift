import PostgresNIO

/// A validated `ArchiveFilter` rendered for PostgreSQL's archive it names (the rooms' or the
/// accounts', `ArchiveTable`): the same conditions as on SQLite, every value bound. Words are matched by the generated `body_search` tsvector (GIN):
/// each keyword becomes a `phraseto_tsquery` of the text folded as the column folds bodies
/// (`salon_search_text`: diacritics removed with unaccent, ASCII punctuation as spaces), so a
/// keyword is a phrase of its words as it is an FTS5 string on SQLite, and no query text is
/// ever read as tsquery syntax. Case-sensitive searches also need each keyword verbatim.
struct PostgresArchiveFilter: Sendable {
    var filter: ArchiveFilter

    /// The archive read (its names are constants).
    var table: ArchiveTable { filter.table }

    /// Who a message is with: its sender in a room; in an account's archive the correspondent,
    /// a bare JID with any resource, a full JID only that one (XEP-0313 §4.1.1, as on SQLite).
    private func authorCondition(_ builder: inout PostgresStatementBuilder) -> String {
        switch table.authorMatch {
        case .sender:
            return "m.sender = ANY(\(builder.bind(filter.authors))::text[])"
        case .correspondent:
            let full = filter.authors.filter { $0.contains("/") }
            let bare = filter.authors.filter { !$0.contains("/") }
            return "(m.with_full = ANY(\(builder.bind(full))::text[]) OR m.with_bare = ANY(\(builder.bind(bare))::text[]))"
        }
    }

    /// The WHERE conditions (without the keyword), their values bound in `builder`.
    func conditions(_ builder: inout PostgresStatementBuilder) -> String {
        var conditions: [String] = []
        if let text = filter.text {
            // The configuration body_search was built with (PostgresArchiveSearch keeps it there).
            let queries = text.terms.map {
                "phraseto_tsquery((SELECT configuration FROM room_search)::regconfig, salon_search_text(\(builder.bind($0))))"
            }
            conditions.append("m.body_search @@ (" + queries.joined(separator: text.match == .any ? " || " : " && ") + ")")
            if !text.verbatim.isEmpty {
                let tests = text.verbatim.map { "strpos(m.body, \(builder.bind($0))) > 0" }
                conditions.append("(" + tests.joined(separator: text.anyVerbatim ? " OR " : " AND ") + ")")
            }
        }
        // ArchiveFilter refused names with a NUL, which PostgreSQL's text cannot hold.
        conditions.append("m.\(table.owner) = ANY(\(builder.bind(filter.rooms))::text[])")
        if !filter.authors.isEmpty {
            conditions.append(authorCondition(&builder))
        }
        if let ids = filter.ids {
            conditions.append("m.stanza_id = ANY(\(builder.bind(ids))::text[])")
        }
        if let start = filter.startMilliseconds {
            conditions.append("m.timestamp >= \(builder.bind(start))")
        }
        if let end = filter.endMilliseconds {
            conditions.append("m.timestamp <= \(builder.bind(end))")
        }
        if !filter.includeRetracted {
            conditions.append("NOT m.retracted")
        }
        if let after = filter.afterPosition {
            conditions.append("m.id > \(builder.bind(after))")
        }
        if let before = filter.beforePosition {
            conditions.append("m.id < \(builder.bind(before))")
        }
        return conditions.joined(separator: " AND ")
    }

    /// The position (id) of the message `stanzaID` in one of the filter's rooms; throws itemNotFound.
    func position(of stanzaID: String, _ transaction: PostgresAccess.Transaction) async throws -> Int64 {
        let found = try await transaction.query("""
            SELECT id FROM \(unescaped: table.messages) WHERE stanza_id = \(stanzaID) AND \(unescaped: table.owner) = ANY(\(filter.rooms)::text[])
            """).first?.decode(Int64.self)
        guard let found else {
            throw ArchiveError(.itemNotFound, "no message \(stanzaID.prefix(64)) in the queried rooms")
        }
        return found
    }

    /// How many messages match: the per-room totals when only rooms restrict the result.
    func count(_ transaction: PostgresAccess.Transaction) async throws -> Int {
        if filter.isRoomsOnly {
            return try await transaction.query("""
                SELECT COALESCE(sum(total), 0)::bigint FROM \(unescaped: table.postgresCounts)
                WHERE \(unescaped: table.owner) = ANY(\(filter.rooms)::text[])
                """).first?.decode(Int.self) ?? 0
        }
        var builder = PostgresStatementBuilder("SELECT count(*) FROM \(table.messages) m WHERE ")
        let conditions = conditions(&builder)
        builder.append(conditions)
        return try await transaction.query(builder.query).first?.decode(Int.self) ?? 0
    }
}

extension ArchiveTable {
    /// The per-owner totals on PostgreSQL: the rooms' share their row with the sequence counter.
    var postgresCounts: String { messages == ArchiveTable.rooms.messages ? "room_counters" : counts }
}
