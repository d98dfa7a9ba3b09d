import Foundation
import Testing
@testable import SalonStore

@Suite struct OfflineStoreTests {
    private func databaseWithAlice() async throws -> SalonDatabase {
        let database = try SalonDatabase.inMemory()
        try await database.accounts.create(jid: "alice@example.com", credentials: [])
        return database
    }

    @Test func queueIsBoundedByTheLimit() async throws {
        let offline = try await databaseWithAlice().offline
        for index in 0..<3 {
            #expect(try await offline.enqueue(owner: "alice@example.com", stanza: "<message id='\(index)'/>", limit: 3))
        }
        #expect(try await offline.enqueue(owner: "alice@example.com", stanza: "<message id='overflow'/>", limit: 3) == false)
        #expect(try await offline.count(owner: "alice@example.com") == 3)
        // A larger limit admits more; a zero or negative limit admits nothing.
        #expect(try await offline.enqueue(owner: "alice@example.com", stanza: "<message id='3'/>", limit: 4))
        #expect(try await offline.enqueue(owner: "alice@example.com", stanza: "<message/>", limit: 0) == false)
        #expect(try await offline.enqueue(owner: "alice@example.com", stanza: "<message/>", limit: -1) == false)
        #expect(try await offline.drain(owner: "alice@example.com").count == 4)
    }

    @Test func drainReturnsOldestFirstAndEmptiesTheQueue() async throws {
        let database = try await databaseWithAlice()
        try await database.accounts.create(jid: "bob@example.com", credentials: [])
        let offline = database.offline
        let stanzas = (0..<5).map { "<message id='m\($0)'><body>é \($0)</body></message>" }
        for stanza in stanzas {
            #expect(try await offline.enqueue(owner: "alice@example.com", stanza: stanza, limit: 100))
        }
        #expect(try await offline.enqueue(owner: "bob@example.com", stanza: "<message id='bob'/>", limit: 100))

        #expect(try await offline.drain(owner: "alice@example.com") == stanzas)
        #expect(try await offline.drain(owner: "alice@example.com") == [])
        #expect(try await offline.count(owner: "alice@example.com") == 0)
        // Another user's queue is untouched, and drained with its storage time.
        let bobs = try await offline.drainMessages(owner: "bob@example.com")
        #expect(bobs.map(\.stanza) == ["<message id='bob'/>"])
        let storedAt = try #require(bobs.first?.storedAt)
        #expect(abs(storedAt.timeIntervalSinceNow) < 3600)
    }

    @Test func enqueueForAnUnknownOwnerFailsWithUserNotFound() async throws {
        let offline = try SalonDatabase.inMemory().offline
        let kind = await storeErrorKind {
            _ = try await offline.enqueue(owner: "ghost@example.com", stanza: "<message/>", limit: 10)
        }
        #expect(kind == .userNotFound)
        #expect(try await offline.drain(owner: "ghost@example.com") == [])
    }
}
