import Foundation
import PostgresNIO

/// A message one of the archives returns on PostgreSQL: how to read it from a row.
protocol PostgresArchiveRecord: ArchiveRecord {
    /// The columns to select, under the alias `m`.
    static var postgresColumns: String { get }
    /// Decodes a row selected with `postgresColumns`.
    init(postgres row: PostgresRow) throws
}

extension StoredMessage: PostgresArchiveRecord {
    static var postgresColumns: String { PostgresArchiveRow.columns }
    init(postgres row: PostgresRow) throws { self = try PostgresArchiveRow.message(row) }
}

/// `ArchivePaging` on PostgreSQL: one XEP-0313 query with XEP-0059 paging over the archive
/// `Record` comes from, the same window rules (after/before cursors inside the MAM
/// after-id/before-id filters, "" for the last page), page limits and early end as on SQLite.
/// It runs in one REPEATABLE READ transaction, so the page and its count come from one snapshot.
struct PostgresArchivePaging<Record: PostgresArchiveRecord>: Sendable {
    let query: ArchiveQuery
    let filter: PostgresArchiveFilter

    /// Validates the query's filters (`ArchivePaging` does, so both backends refuse alike).
    init(_ query: ArchiveQuery) throws {
        let paging = try ArchivePaging<Record>(query)
        self.query = query
        filter = PostgresArchiveFilter(filter: paging.filter)
    }

    func run(_ transaction: PostgresAccess.Transaction) async throws -> ArchiveResultPage<Record> {
        try await transaction.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if filter.filter.text != nil {
            // A common word matches rows on most of a big room's pages: with the default memory
            // the bitmap of them turns lossy, and every row of those pages is tested again.
            try await transaction.query("SET LOCAL work_mem = '64MB'")
        }
        var filter = self.filter
        if let afterID = query.afterID {
            filter.filter.afterPosition = try await filter.position(of: afterID, transaction)
        }
        if let beforeID = query.beforeID {
            filter.filter.beforePosition = try await filter.position(of: beforeID, transaction)
        }
        let count = try await filter.count(transaction)

        var window = filter
        if let after = query.after {
            let position = try await filter.position(of: after, transaction)
            window.filter.afterPosition = Swift.max(window.filter.afterPosition ?? position, position)
        }
        let backward = query.before != nil
        if let before = query.before, !before.isEmpty {
            let position = try await filter.position(of: before, transaction)
            window.filter.beforePosition = Swift.min(window.filter.beforePosition ?? position, position)
        }

        let limit = query.max == 0 ? 0 : Swift.min(Swift.max(query.max, 1), ArchivePageLimits.maxPageSize)
        let order = try await matchesFirst(count: count, limit: limit, transaction) ? "m.id + 0" : "m.id"
        var builder = PostgresStatementBuilder("SELECT \(Record.postgresColumns) FROM \(filter.table.messages) m WHERE ")
        let conditions = window.conditions(&builder)
        builder.append(conditions)
        builder.append(" ORDER BY \(order) \(backward ? "DESC" : "ASC") LIMIT \(builder.bind(Int64(limit + 1)))")
        var fill = ArchivePageFill<Record>(limit: limit)
        for try await row in try await transaction.rows(builder.query) {
            guard fill.admitsMore() else { break }
            fill.append(try Record(postgres: row))
        }
        return fill.page(count: count, backward: backward, flip: query.flip)
    }

    /// Whether a search's page is read from its matches (the GIN index, then sorted) rather than
    /// by walking the archive in order and testing each message. The planner cannot tell a rare
    /// word from a common one, so it walks; for a rare word that reads the whole archive. The
    /// count, already known, says which costs less: walking visits about limit × total / count
    /// messages, reading the matches visits count.
    private func matchesFirst(count: Int, limit: Int, _ transaction: PostgresAccess.Transaction) async throws -> Bool {
        guard filter.filter.text != nil else { return false }
        var everything = filter
        everything.filter = filter.filter.roomsOnly
        let total = try await everything.count(transaction)
        return count * count < (limit + 1) * total
    }
}

/// How a room message is read from PostgreSQL.
enum PostgresArchiveRow {
    /// The columns `message` decodes, in order, under the alias `m`.
    static let columns = "m.room, m.sequence, m.stanza_id, m.sender, m.nick, m.occupant_id, m.timestamp, m.body, m.subject, m.stanza, m.alert, m.retracted"

    static func message(_ row: PostgresRow) throws -> StoredMessage {
        let (room, sequence, stanzaID, sender, nick, occupantID, timestamp, body, subject, stanza, alert, retracted) =
            try row.decode((String, Int64, String, String, String, String, Int64, String, String?, String, Bool, Bool).self)
        return StoredMessage(room: room, sequence: sequence, stanzaID: stanzaID, senderJID: sender, nick: nick,
                             occupantID: occupantID, timestamp: Date(timeIntervalSince1970: Double(timestamp) / 1000), body: body,
                             subject: subject, alert: alert, retracted: retracted, stanza: stanza)
    }
}
