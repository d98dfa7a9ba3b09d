import Foundation
import GRDB
import SalonTestSupport
import Testing
@testable import SalonStore

/// Blocklists and vCards, once per backend (`TestBackend`), but for the upgrade of an older
/// file, which is SQLite's.
@Suite struct IMStoreTests {
    /// `body` with a fresh backend of `kind` holding the account alice@example.com.
    private func withAlice(_ kind: TestBackend, _ body: (any StoreBackend) async throws -> Void) async throws {
        try await withBackend(kind) { database async throws in
            try await database.accounts.create(jid: "alice@example.com", credentials: [])
            try await body(database)
        }
    }

    @Test(arguments: TestBackend.all) func blocklistAddsRemovesAndKeepsItsLimit(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let lists = database.blocklists
            #expect(try await lists.block(owner: "alice@example.com", jids: ["b@x", "c@x", "b@x"], limit: 3) == ["b@x", "c@x"])
            #expect(try await lists.block(owner: "alice@example.com", jids: ["c@x"], limit: 3) == [])
            #expect(await storeErrorKind { try await lists.block(owner: "alice@example.com", jids: ["d@x", "e@x"], limit: 3) } == .limitReached)
            #expect(try await lists.items(owner: "alice@example.com") == ["b@x", "c@x"])
            #expect(try await lists.blocks(owner: "alice@example.com", anyOf: ["z@x/r", "c@x"]))
            #expect(try await lists.blocks(owner: "alice@example.com", anyOf: ["z@x"]) == false)
            #expect(try await lists.blocks(owner: "alice@example.com", anyOf: []) == false)
            #expect(try await lists.unblock(owner: "alice@example.com", jids: ["c@x", "nobody@x"]) == ["c@x"])
            #expect(try await lists.unblockAll(owner: "alice@example.com") == ["b@x"])
            #expect(try await lists.items(owner: "alice@example.com") == [])
            #expect(await storeErrorKind { try await lists.block(owner: "ghost@example.com", jids: ["b@x"], limit: 3) } == .userNotFound)
        }
    }

    @Test(arguments: TestBackend.all) func blocklistsSortByBytesAndAnswerTheLoginsCompletion(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let lists = database.blocklists
            try await lists.block(owner: "alice@example.com", jids: ["é@x", "Z@x", "a@x", "example.org"], limit: 10)
            let sorted = ["Z@x", "a@x", "example.org", "é@x"]
            #expect(try await lists.items(owner: "alice@example.com") == sorted)
            let loaded = try await withCheckedThrowingContinuation { continuation in
                lists.items(owner: "alice@example.com") { continuation.resume(with: $0) }
            }
            #expect(loaded == sorted)
            #expect(try await lists.unblockAll(owner: "alice@example.com") == sorted)
        }
    }

    /// The one read a login makes at bind: roster, blocklist and photo hash together (SQLite in
    /// one reader hop, PostgreSQL from the three stores).
    @Test(arguments: TestBackend.all) func loginStateReadsRosterBlocklistAndPhotoHash(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            func loginState(_ owner: String) async throws -> AccountLoginState {
                try await withCheckedThrowingContinuation { continuation in
                    database.loginState(owner: owner) { continuation.resume(with: $0) }
                }
            }
            var state = try await loginState("alice@example.com")
            #expect(state.roster.isEmpty && state.blocklist.isEmpty && state.photoHash == nil)

            _ = try await database.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com", groups: ["Friends"]), maxItems: nil)
            _ = try await database.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "amy@example.com"), maxItems: nil)
            try await database.blocklists.block(owner: "alice@example.com", jids: ["spam@x", "b@x"], limit: 10)
            try await database.vCards.setVCard(owner: "alice@example.com", .init(xml: "<vCard xmlns='vcard-temp'/>", photoHash: nil))
            state = try await loginState("alice@example.com")
            #expect(state.roster == (try await database.rosters.items(owner: "alice@example.com")))
            #expect(state.roster.map(\.jid) == ["amy@example.com", "bob@example.com"])
            #expect(state.blocklist == ["b@x", "spam@x"])
            #expect(state.photoHash == "")

            try await database.vCards.setVCard(owner: "alice@example.com", .init(xml: "<vCard xmlns='vcard-temp'/>", photoHash: "ab"))
            #expect(try await loginState("alice@example.com").photoHash == "ab")
            let stranger = try await loginState("ghost@example.com")
            #expect(stranger.roster.isEmpty && stranger.blocklist.isEmpty && stranger.photoHash == nil)
        }
    }

    @Test(arguments: TestBackend.all) func hostileValuesAreRefusedOrFindNothingAlike(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let lists = database.blocklists
            #expect(await storeErrorKind { try await lists.block(owner: "alice@example.com", jids: ["b\u{0}@x"], limit: 3) } == .invalidArgument)
            #expect(try await lists.blocks(owner: "alice@example.com", anyOf: ["b\u{0}@x"]) == false)
            #expect(try await lists.unblock(owner: "alice@example.com", jids: ["b\u{0}@x"]) == [])
            #expect(try await lists.items(owner: "al\u{0}ice@example.com") == [])
            #expect(await storeErrorKind {
                try await database.vCards.setVCard(owner: "alice@example.com", .init(xml: "<vCard>\u{0}</vCard>", photoHash: nil))
            } == .invalidArgument)
            #expect(await storeErrorKind {
                try await database.vCards.setVCard(owner: "al\u{0}ice@example.com", .init(xml: "<vCard/>", photoHash: nil))
            } == .userNotFound)
            #expect(try await database.vCards.vCard(owner: "al\u{0}ice@example.com") == nil)
            #expect(try await database.vCards.vCard(owner: "alice@example.com") == nil)
        }
    }

    @Test(arguments: TestBackend.all) func vCardIsReplacedAndGoesWithItsAccount(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            #expect(try await database.vCards.vCard(owner: "alice@example.com") == nil)
            #expect(try await photoHash(database, "alice@example.com") == nil)
            try await database.vCards.setVCard(owner: "alice@example.com", .init(xml: "<vCard xmlns='vcard-temp'/>", photoHash: nil))
            #expect(try await photoHash(database, "alice@example.com") == "")
            try await database.vCards.setVCard(owner: "alice@example.com", .init(xml: "<vCard xmlns='vcard-temp'><FN>A</FN></vCard>", photoHash: "ab"))
            #expect(try await database.vCards.vCard(owner: "alice@example.com") == .init(xml: "<vCard xmlns='vcard-temp'><FN>A</FN></vCard>", photoHash: "ab"))
            #expect(try await photoHash(database, "alice@example.com") == "ab")
            #expect(await storeErrorKind {
                try await database.vCards.setVCard(owner: "ghost@example.com", .init(xml: "<vCard/>", photoHash: nil))
            } == .userNotFound)
            try await database.blocklists.block(owner: "alice@example.com", jids: ["b@x"], limit: 10)
            try await database.accounts.delete(jid: "alice@example.com")
            #expect(try await database.vCards.vCard(owner: "alice@example.com") == nil)
            #expect(try await database.blocklists.items(owner: "alice@example.com") == [])
        }
    }

    /// The login's photo hash, through its completion handler.
    private func photoHash(_ database: any StoreBackend, _ owner: String) async throws -> String? {
        try await withCheckedThrowingContinuation { continuation in
            database.vCards.photoHash(owner: owner) { continuation.resume(with: $0) }
        }
    }

    @Test func upgradeFromV8KeepsAccountsAndAddsTheTables() async throws {
        let queue = try DatabaseQueue()
        try SalonSchema.migrator.migrate(queue, upTo: "v8-room-subject-author")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO users (jid, created_at) VALUES ('alice@example.com', 0)")
        }
        try SalonSchema.migrate(queue)
        let count = try await queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0
        }
        #expect(count == 1)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO blocklist_items (owner, jid) VALUES ('alice@example.com', 'b@x')")
            try db.execute(sql: "INSERT INTO vcards (owner, xml) VALUES ('alice@example.com', '<vCard/>')")
        }
    }
}
