import Foundation
import SalonTestSupport
import Testing
@testable import SalonStore

/// Runs once per backend (`TestBackend`): the same assertions against SQLite and PostgreSQL.
@Suite struct OfflineStoreTests {
    /// `body` with a fresh backend of `kind` holding the account alice@example.com.
    private func withAlice(_ kind: TestBackend, _ body: (any StoreBackend) async throws -> Void) async throws {
        try await withBackend(kind) { database async throws in
            try await database.accounts.create(jid: "alice@example.com", credentials: [])
            try await body(database)
        }
    }

    @Test(arguments: TestBackend.all) func queueIsBoundedByTheLimit(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let offline = database.offline
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
    }

    @Test(arguments: TestBackend.all) func drainReturnsOldestFirstAndEmptiesTheQueue(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
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
    }

    @Test(arguments: TestBackend.all) func enqueueForAnUnknownOwnerFailsWithUserNotFound(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let offline = database.offline
            let kind = await storeErrorKind {
                _ = try await offline.enqueue(owner: "ghost@example.com", stanza: "<message/>", limit: 10)
            }
            #expect(kind == .userNotFound)
            #expect(await storeErrorKind {
                _ = try await offline.enqueue(owner: "gh\u{0}ost@example.com", stanza: "<message/>", limit: 10)
            } == .userNotFound)
            #expect(try await offline.drain(owner: "ghost@example.com") == [])
            #expect(try await offline.drain(owner: "gh\u{0}ost@example.com") == [])
        }
    }

    @Test(arguments: TestBackend.all) func aStanzaWithANulIsRefusedAlike(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let kind = await storeErrorKind {
                _ = try await database.offline.enqueue(owner: "alice@example.com", stanza: "<message>\u{0}</message>", limit: 10)
            }
            #expect(kind == .invalidArgument)
            #expect(try await database.offline.count(owner: "alice@example.com") == 0)
        }
    }

    @Test(arguments: TestBackend.all) func theCapAndEachWritersOrderHoldUnderConcurrentEnqueues(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let accepted = try await enqueueConcurrently(on: [database.offline, database.offline], owner: "alice@example.com",
                                                         each: 20, limit: 30)
            try await expectQueue(database.offline, owner: "alice@example.com", holds: accepted, limit: 30)
        }
    }
}

/// Each of `stores` (standing for nodes) enqueues `each` messages, one after another, all at
/// once with the others; returns the stanzas accepted, per store.
func enqueueConcurrently(on stores: [any OfflineStore], owner: String, each: Int, limit: Int) async throws -> [[String]] {
    try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
        for (index, store) in stores.enumerated() {
            group.addTask {
                var accepted: [String] = []
                for message in 0..<each {
                    let stanza = "<message id='w\(index)-\(message)'/>"
                    if try await store.enqueue(owner: owner, stanza: stanza, limit: limit) { accepted.append(stanza) }
                }
                return (index, accepted)
            }
        }
        var accepted = Array(repeating: [String](), count: stores.count)
        for try await (index, stanzas) in group { accepted[index] = stanzas }
        return accepted
    }
}

/// The queue holds exactly `limit` messages: those accepted, each writer's in the order it sent them.
func expectQueue(_ store: any OfflineStore, owner: String, holds accepted: [[String]], limit: Int) async throws {
    #expect(accepted.map(\.count).reduce(0, +) == limit)
    let drained = try await store.drain(owner: owner)
    #expect(drained.count == limit)
    for (index, stanzas) in accepted.enumerated() {
        #expect(drained.filter { $0.hasPrefix("<message id='w\(index)-") } == stanzas)
    }
}
