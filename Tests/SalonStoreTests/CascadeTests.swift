import GRDB
import SalonSecurity
import Testing
@testable import SalonStore

@Suite struct CascadeTests {
    private func rowCounts(_ database: SalonDatabase, _ jid: String) async throws -> [String: Int] {
        try await database.writer.read { db in
            var counts: [String: Int] = [:]
            for (table, column) in [("users", "jid"), ("credentials", "jid"), ("roster_items", "owner"),
                                    ("offline_messages", "owner")] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(column) = ?",
                                                 arguments: [jid]) ?? -1
            }
            return counts
        }
    }

    @Test func deletingAnAccountDeletesItsCredentialsRosterAndOfflineMessages() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SalonDatabase(directory: directory)
            defer { try? database.close() }
            try await database.accounts.create(jid: "alice@example.com",
                                               credentials: [sampleCredential(.sha1), sampleCredential()])
            try await database.accounts.create(jid: "bob@example.com", credentials: [sampleCredential()])
            _ = try await database.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com"))
            _ = try await database.rosters.upsert(owner: "bob@example.com", item: RosterItem(jid: "alice@example.com"))
            _ = try await database.offline.enqueue(owner: "alice@example.com", stanza: "<message/>", limit: 10)

            #expect(try await rowCounts(database, "alice@example.com")
                    == ["users": 1, "credentials": 2, "roster_items": 1, "offline_messages": 1])
            try await database.accounts.delete(jid: "alice@example.com")
            #expect(try await rowCounts(database, "alice@example.com")
                    == ["users": 0, "credentials": 0, "roster_items": 0, "offline_messages": 0])

            // Bob keeps his account and his roster (which still names Alice).
            #expect(try await rowCounts(database, "bob@example.com")
                    == ["users": 1, "credentials": 1, "roster_items": 1, "offline_messages": 0])
        }
    }

    @Test func aRecreatedAccountNeverRepeatsARosterVersion() async throws {
        let database = try SalonDatabase.inMemory()
        try await database.accounts.create(jid: "alice@example.com", credentials: [])
        let before = try await database.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com"))
        try await database.accounts.delete(jid: "alice@example.com")
        try await database.accounts.create(jid: "alice@example.com", credentials: [])
        #expect(try await database.rosters.items(owner: "alice@example.com") == [])
        let emptyVersion = try await database.rosters.version(owner: "alice@example.com")
        #expect(emptyVersion > before)
        let after = try await database.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "carol@example.com"))
        #expect(after > emptyVersion)
    }

    @Test func foreignKeysRejectOrphanRowsEvenFromRawSQL() async throws {
        let database = try SalonDatabase.inMemory()
        await #expect(throws: DatabaseError.self) {
            try await database.writer.write { db in
                try db.execute(sql: "INSERT INTO offline_messages (owner, stanza, stored_at) VALUES ('ghost@x', '<m/>', 0)")
            }
        }
    }
}
