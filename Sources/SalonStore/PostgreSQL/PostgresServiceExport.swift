import Foundation
import PersistentChat
import PostgresNIO
import SalonSecurity

/// The export source on PostgreSQL: one connection in a `REPEATABLE READ, READ ONLY`
/// transaction (one snapshot throughout), every kind read in keyset-paged chunks, each page's
/// rows collected before the body runs (a connection serves one query at a time, and the body
/// must not hold a query open). Orders are SQLite's: the key columns are `COLLATE "C"`, which
/// sorts by bytes as SQLite's BINARY does, and within a room sequence follows archive order.
struct PostgresExportSource: ServiceExportSource {
    static let page = 1000
    let transaction: PostgresAccess.Transaction

    func directory() async throws -> ChatDirectory {
        try await PostgresChatStore.load(transaction)
    }

    func forEachAccount(_ body: (TransferredAccount) async throws -> Void) async throws {
        var after = ""
        while true {
            let jids = try await transaction.query("""
                SELECT jid FROM users WHERE jid > \(after) ORDER BY jid LIMIT \(Self.page)
                """).map { try $0.decode(String.self) }
            guard let last = jids.last else { return }
            var credentials: [String: [SCRAMCredentials]] = [:]
            for row in try await transaction.query("""
                SELECT jid, mechanism, salt, iterations, stored_key, server_key FROM credentials
                WHERE jid = ANY(\(jids)::text[]) ORDER BY jid, mechanism COLLATE "C"
                """) {
                let (jid, mechanism, salt, iterations, storedKey, serverKey) =
                    try row.decode((String, String, ByteBuffer, Int, ByteBuffer, ByteBuffer).self)
                guard let algorithm = SCRAMCredentials.algorithm(ofMechanism: mechanism) else { continue }
                credentials[jid, default: []].append(PostgresAccountStore.credential((salt, iterations, storedKey, serverKey),
                                                                                     algorithm: algorithm))
            }
            var rosters: [String: [RosterItem]] = [:]
            for row in try await transaction.query("""
                SELECT owner, jid, name, subscription, ask, groups FROM roster_items
                WHERE owner = ANY(\(jids)::text[]) ORDER BY owner, jid
                """) {
                let (owner, jid, name, subscription, ask, groups) = try row.decode((String, String, String?, String, Bool, [String]).self)
                rosters[owner, default: []].append(PostgresRosterStore.item(from: (jid, name, subscription, ask, groups)))
            }
            for jid in jids {
                try await body(TransferredAccount(jid: jid, credentials: credentials[jid] ?? [], roster: rosters[jid] ?? []))
            }
            after = last
        }
    }

    func forEachRoomMessage(rooms: Set<String>?, since: Date?, _ body: (StoredMessage) async throws -> Void) async throws {
        let since = since.map(SQLiteFileStore.ms) ?? Int64.min
        let columns = PostgresArchiveRow.columns
        if let rooms {
            for room in rooms.sorted() where PostgresText.isStorable(room) {
                var after = Int64.min
                while true {
                    let page = try await transaction.query("""
                        SELECT \(unescaped: columns) FROM room_messages m
                        WHERE m.room = \(room) AND m.timestamp >= \(since) AND m.sequence > \(after)
                        ORDER BY m.sequence LIMIT \(Self.page)
                        """).map(PostgresArchiveRow.message)
                    guard let last = page.last else { break }
                    for message in page { try await body(message) }
                    after = last.sequence
                }
            }
        } else {
            var after = ("", Int64.min)
            while true {
                let page = try await transaction.query("""
                    SELECT \(unescaped: columns) FROM room_messages m
                    WHERE m.timestamp >= \(since) AND (m.room, m.sequence) > (\(after.0), \(after.1))
                    ORDER BY m.room, m.sequence LIMIT \(Self.page)
                    """).map(PostgresArchiveRow.message)
                guard let last = page.last else { return }
                for message in page { try await body(message) }
                after = (last.room, last.sequence)
            }
        }
    }

    func forEachPersonalMessage(since: Date?, _ body: (PersonalMessage) async throws -> Void) async throws {
        let since = since.map(SQLiteFileStore.ms) ?? Int64.min
        var after = ("", Int64.min)
        while true {
            let rows = try await transaction.query("""
                SELECT m.id, \(unescaped: PersonalMessage.postgresColumns) FROM account_messages m
                WHERE m.timestamp >= \(since) AND (m.owner, m.id) > (\(after.0), \(after.1))
                ORDER BY m.owner, m.id LIMIT \(Self.page)
                """)
            guard !rows.isEmpty else { return }
            for row in rows {
                let (id, owner, stanzaID, with, outgoing, timestamp, messageBody, stanza) =
                    try row.decode((Int64, String, String, String, Bool, Int64, String, String).self)
                try await body(PersonalMessage(owner: owner, stanzaID: stanzaID, with: with, outgoing: outgoing,
                                               timestamp: Date(timeIntervalSince1970: Double(timestamp) / 1000),
                                               body: messageBody, stanza: stanza))
                after = (owner, id)
            }
        }
    }

    func forEachFile(rooms: Set<String>?, since: Date?, _ body: (FileRecord) async throws -> Void) async throws {
        let since = since.map(SQLiteFileStore.ms) ?? Int64.min
        var after = (Int64.min, "")
        while true {
            let page = try await transaction.query("""
                SELECT \(unescaped: PostgresFileStore.columns) FROM files
                WHERE room IS NOT NULL AND revoked_at IS NULL AND completed_at IS NOT NULL AND created_at >= \(since)
                  AND (created_at, id) > (\(after.0), \(after.1))
                ORDER BY created_at, id LIMIT \(Self.page)
                """).map(PostgresFileStore.record)
            guard let last = page.last else { return }
            for file in page {
                if let rooms, let room = file.room, !rooms.contains(room) { continue }
                try await body(file)
            }
            after = (SQLiteFileStore.ms(last.created), last.id)
        }
    }

    func forEachComplianceEvent(since: Date?, _ body: (ComplianceRecord) async throws -> Void) async throws {
        var after: Int64 = 0
        if let since {
            guard let first = try await transaction.query("""
                SELECT min(seq) FROM compliance_events WHERE time >= \(SQLiteFileStore.ms(since))
                """).first?.decode(Int64?.self) ?? nil else { return }
            after = first - 1
        }
        while true {
            let page = try await transaction.query("""
                SELECT \(unescaped: PostgresComplianceStore.columns) FROM compliance_events
                WHERE seq > \(after) ORDER BY seq LIMIT \(Self.page)
                """).map(PostgresComplianceStore.record)
            guard let last = page.last else { return }
            for record in page { try await body(record) }
            after = last.seq
        }
    }
}
