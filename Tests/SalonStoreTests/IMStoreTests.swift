import Foundation
import GRDB
import Testing
@testable import SalonStore

@Suite struct IMStoreTests {
    private func database() async throws -> SalonDatabase {
        let database = try SalonDatabase.inMemory()
        try await database.accounts.create(jid: "alice@example.com", credentials: [])
        return database
    }

    @Test func blocklistAddsRemovesAndKeepsItsLimit() async throws {
        let database = try await database()
        let lists = database.blocklists
        #expect(try await lists.block(owner: "alice@example.com", jids: ["b@x", "c@x", "b@x"], limit: 3) == ["b@x", "c@x"])
        #expect(try await lists.block(owner: "alice@example.com", jids: ["c@x"], limit: 3) == [])
        #expect(await storeErrorKind { try await lists.block(owner: "alice@example.com", jids: ["d@x", "e@x"], limit: 3) } == .limitReached)
        #expect(try await lists.items(owner: "alice@example.com") == ["b@x", "c@x"])
        #expect(try await lists.blocks(owner: "alice@example.com", anyOf: ["z@x/r", "c@x"]))
        #expect(try await lists.blocks(owner: "alice@example.com", anyOf: ["z@x"]) == false)
        #expect(try await lists.unblock(owner: "alice@example.com", jids: ["c@x", "nobody@x"]) == ["c@x"])
        #expect(try await lists.unblockAll(owner: "alice@example.com") == ["b@x"])
        #expect(try await lists.items(owner: "alice@example.com") == [])
        #expect(await storeErrorKind { try await lists.block(owner: "ghost@example.com", jids: ["b@x"], limit: 3) } == .userNotFound)
    }

    @Test func vCardIsReplacedAndGoesWithItsAccount() async throws {
        let database = try await database()
        #expect(try await database.vCards.vCard(owner: "alice@example.com") == nil)
        try await database.vCards.setVCard(owner: "alice@example.com", .init(xml: "<vCard xmlns='vcard-temp'/>", photoHash: nil))
        try await database.vCards.setVCard(owner: "alice@example.com", .init(xml: "<vCard xmlns='vcard-temp'><FN>A</FN></vCard>", photoHash: "ab"))
        #expect(try await database.vCards.vCard(owner: "alice@example.com") == .init(xml: "<vCard xmlns='vcard-temp'><FN>A</FN></vCard>", photoHash: "ab"))
        try await database.blocklists.block(owner: "alice@example.com", jids: ["b@x"], limit: 10)
        try await database.accounts.delete(jid: "alice@example.com")
        #expect(try await database.vCards.vCard(owner: "alice@example.com") == nil)
        #expect(try await database.blocklists.items(owner: "alice@example.com") == [])
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
