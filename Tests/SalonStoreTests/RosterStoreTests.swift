import SalonTestSupport
import Testing
@testable import SalonStore

/// Runs once per backend (`TestBackend`), but for the file reopened, which is SQLite's.
@Suite struct RosterStoreTests {
    /// `body` with a fresh backend of `kind` holding the account alice@example.com.
    private func withAlice(_ kind: TestBackend, _ body: (any StoreBackend) async throws -> Void) async throws {
        try await withBackend(kind) { database async throws in
            try await database.accounts.create(jid: "alice@example.com", credentials: [])
            try await body(database)
        }
    }

    @Test(arguments: TestBackend.all) func upsertInsertsThenReplaces(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let rosters = database.rosters
            let bob = RosterItem(jid: "bob@example.com", name: "Bob", subscription: "to", ask: false, groups: ["Friends", "Café ☕"])
            _ = try await rosters.upsert(owner: "alice@example.com", item: bob)
            #expect(try await rosters.item(owner: "alice@example.com", jid: "bob@example.com") == bob)

            let renamed = RosterItem(jid: "bob@example.com", name: nil, subscription: "both", ask: true, groups: [])
            _ = try await rosters.upsert(owner: "alice@example.com", item: renamed)
            #expect(try await rosters.item(owner: "alice@example.com", jid: "bob@example.com") == renamed)
            #expect(try await rosters.items(owner: "alice@example.com") == [renamed])
            #expect(try await rosters.item(owner: "alice@example.com", jid: "carol@example.com") == nil)
        }
    }

    @Test(arguments: TestBackend.all) func itemsAreSortedByJIDAndPerOwner(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
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
    }

    @Test(arguments: TestBackend.all) func versionGrowsWithEveryChangeOnly(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let rosters = database.rosters
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
    }

    @Test(arguments: TestBackend.all) func upsertForAnUnknownOwnerFailsWithUserNotFound(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let rosters = database.rosters
            let kind = await storeErrorKind {
                _ = try await rosters.upsert(owner: "ghost@example.com", item: RosterItem(jid: "bob@example.com"))
            }
            #expect(kind == .userNotFound)
            #expect(try await rosters.version(owner: "ghost@example.com") == 0)
        }
    }

    @Test(arguments: TestBackend.all, [
        RosterItem(jid: "bob@example.com", subscription: "remove"),
        RosterItem(jid: "bob@example.com", subscription: "BOTH"),
        RosterItem(jid: ""),
        RosterItem(jid: "bob@example.com", groups: [""]),
        RosterItem(jid: "bob@example.com", groups: (0..<65).map { "g\($0)" }),
        RosterItem(jid: "bob@example.com", name: String(repeating: "n", count: 1024)),
        RosterItem(jid: "bob@example.com", name: "B\u{0}b"),
        RosterItem(jid: "bob@example.com", groups: ["Fr\u{0}iends"]),
    ])
    func malformedItemsAreRejected(backend: TestBackend, item: RosterItem) async throws {
        try await withAlice(backend) { database async throws in
            let rosters = database.rosters
            let kind = await storeErrorKind { _ = try await rosters.upsert(owner: "alice@example.com", item: item) }
            #expect(kind == .invalidArgument)
            #expect(try await rosters.version(owner: "alice@example.com") == 0)
        }
    }

    @Test(arguments: TestBackend.all)
    func theCapHoldsWhenSetsComeAtOnce(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let rosters = database.rosters
            _ = try await rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com"), maxItems: 5)
            let refusals = try await withThrowingTaskGroup(of: Bool.self) { group in
                for contact in 0..<12 {
                    group.addTask {
                        let kind = await storeErrorKind {
                            _ = try await rosters.upsert(owner: "alice@example.com",
                                                         item: RosterItem(jid: "c\(contact)@example.com"), maxItems: 5)
                        }
                        return kind == .limitReached
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(refusals == 8)
            #expect(try await rosters.items(owner: "alice@example.com").count == 5)
            // Replacing a contact already there is no new item.
            _ = try await rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com", name: "B"), maxItems: 5)
        }
    }

    @Test(arguments: TestBackend.all)
    func deletingTheOwnerTakesTheRosterAndKeepsTheVersionGrowing(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let version = try await database.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com"))
            try await database.accounts.delete(jid: "alice@example.com")
            #expect(try await database.rosters.items(owner: "alice@example.com") == [])
            #expect(try await database.rosters.version(owner: "alice@example.com") > version)
            try await database.accounts.create(jid: "alice@example.com", credentials: [])
            #expect(try await database.rosters.items(owner: "alice@example.com") == [])
            let next = try await database.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com"))
            #expect(next > version + 1)
        }
    }

    @Test(arguments: TestBackend.all)
    func theLoginLoadAnswersThroughItsCompletion(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let bob = RosterItem(jid: "bob@example.com", name: "Bob", subscription: "both", groups: ["b", "a"])
            _ = try await database.rosters.upsert(owner: "alice@example.com", item: bob)
            let items = try await withCheckedThrowingContinuation { continuation in
                database.rosters.items(owner: "alice@example.com") { continuation.resume(with: $0) }
            }
            #expect(items == [bob])
        }
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
