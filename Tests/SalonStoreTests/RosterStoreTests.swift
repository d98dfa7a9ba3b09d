import Testing
@testable import SalonStore

@Suite struct RosterStoreTests {
    private func databaseWithAlice() async throws -> SalonDatabase {
        let database = try SalonDatabase.inMemory()
        try await database.accounts.create(jid: "alice@example.com", credentials: [])
        return database
    }

    @Test func upsertInsertsThenReplaces() async throws {
        let rosters = try await databaseWithAlice().rosters
        let bob = RosterItem(jid: "bob@example.com", name: "Bob", subscription: "to", ask: false, groups: ["Friends", "Café ☕"])
        _ = try await rosters.upsert(owner: "alice@example.com", item: bob)
        #expect(try await rosters.item(owner: "alice@example.com", jid: "bob@example.com") == bob)

        let renamed = RosterItem(jid: "bob@example.com", name: nil, subscription: "both", ask: true, groups: [])
        _ = try await rosters.upsert(owner: "alice@example.com", item: renamed)
        #expect(try await rosters.item(owner: "alice@example.com", jid: "bob@example.com") == renamed)
        #expect(try await rosters.items(owner: "alice@example.com") == [renamed])
        #expect(try await rosters.item(owner: "alice@example.com", jid: "carol@example.com") == nil)
    }

    @Test func itemsAreSortedByJIDAndPerOwner() async throws {
        let database = try await databaseWithAlice()
        try await database.accounts.create(jid: "bob@example.com", credentials: [])
        let rosters = database.rosters
        for jid in ["zed@example.com", "carol@example.com", "example.org"] {
            _ = try await rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: jid))
        }
        _ = try await rosters.upsert(owner: "bob@example.com", item: RosterItem(jid: "alice@example.com"))
        #expect(try await rosters.items(owner: "alice@example.com").map(\.jid)
                == ["carol@example.com", "example.org", "zed@example.com"])
        #expect(try await rosters.items(owner: "bob@example.com").map(\.jid) == ["alice@example.com"])
        #expect(try await rosters.items(owner: "nobody@example.com") == [])
    }

    @Test func versionGrowsWithEveryChangeOnly() async throws {
        let rosters = try await databaseWithAlice().rosters
        #expect(try await rosters.version(owner: "alice@example.com") == 0)
        let v1 = try await rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com"))
        let v2 = try await rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "carol@example.com"))
        let v3 = try await rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com", name: "B"))
        #expect(v1 > 0 && v2 > v1 && v3 > v2)
        #expect(try await rosters.version(owner: "alice@example.com") == v3)

        #expect(try await rosters.remove(owner: "alice@example.com", jid: "nobody@example.com") == nil)
        #expect(try await rosters.version(owner: "alice@example.com") == v3)

        let v4 = try #require(try await rosters.remove(owner: "alice@example.com", jid: "bob@example.com"))
        #expect(v4 > v3)
        #expect(try await rosters.version(owner: "alice@example.com") == v4)
        #expect(try await rosters.item(owner: "alice@example.com", jid: "bob@example.com") == nil)
        #expect(try await rosters.remove(owner: "alice@example.com", jid: "bob@example.com") == nil)
    }

    @Test func upsertForAnUnknownOwnerFailsWithUserNotFound() async throws {
        let rosters = try SalonDatabase.inMemory().rosters
        let kind = await storeErrorKind {
            _ = try await rosters.upsert(owner: "ghost@example.com", item: RosterItem(jid: "bob@example.com"))
        }
        #expect(kind == .userNotFound)
        #expect(try await rosters.version(owner: "ghost@example.com") == 0)
    }

    @Test(arguments: [
        RosterItem(jid: "bob@example.com", subscription: "remove"),
        RosterItem(jid: "bob@example.com", subscription: "BOTH"),
        RosterItem(jid: ""),
        RosterItem(jid: "bob@example.com", groups: [""]),
        RosterItem(jid: "bob@example.com", groups: (0..<65).map { "g\($0)" }),
        RosterItem(jid: "bob@example.com", name: String(repeating: "n", count: 1024)),
    ])
    func malformedItemsAreRejected(item: RosterItem) async throws {
        let rosters = try await databaseWithAlice().rosters
        let kind = await storeErrorKind { _ = try await rosters.upsert(owner: "alice@example.com", item: item) }
        #expect(kind == .invalidArgument)
        #expect(try await rosters.version(owner: "alice@example.com") == 0)
    }

    @Test func rostersAndVersionsPersistAcrossReopen() async throws {
        try await withTemporaryDirectory { directory in
            let item = RosterItem(jid: "bob@example.com", name: "Bob", subscription: "from", ask: true, groups: ["Work"])
            let first = try SalonDatabase(directory: directory)
            try await first.accounts.create(jid: "alice@example.com", credentials: [])
            _ = try await first.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "carol@example.com"))
            let version = try await first.rosters.upsert(owner: "alice@example.com", item: item)
            try first.close()

            let second = try SalonDatabase(directory: directory)
            defer { try? second.close() }
            #expect(try await second.rosters.version(owner: "alice@example.com") == version)
            #expect(try await second.rosters.item(owner: "alice@example.com", jid: "bob@example.com") == item)
            #expect(try await second.rosters.items(owner: "alice@example.com").count == 2)
            let next = try await second.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "dave@example.com"))
            #expect(next > version)
        }
    }
}
