import GRDB
import Testing
@testable import SalonStore

@Suite("Private XML storage in SQLite")
struct PersonalDataStoreTests {
    let alice = "alice@example.com"

    private func database() async throws -> SalonDatabase {
        let database = try SalonDatabase.inMemory()
        try await database.accounts.create(jid: alice, credentials: [])
        return database
    }

    @Test func privateStorageReplacesByNamespaceWithinLimits() async throws {
        let store = try await database().privateStorage
        let limits = PrivateStorageLimits(maxNamespaces: 2, maxBytes: 60)
        try await store.store(owner: alice, elements: [("urn:a", "<a xmlns='urn:a'>1</a>")], limits: limits)
        try await store.store(owner: alice, elements: [("urn:a", "<a xmlns='urn:a'>2</a>")], limits: limits)
        #expect(try await store.element(owner: alice, namespace: "urn:a") == "<a xmlns='urn:a'>2</a>")
        #expect(try await store.element(owner: alice, namespace: "urn:b") == nil)
        // A third namespace, or too many bytes, is refused and nothing of the request is kept.
        try await store.store(owner: alice, elements: [("urn:b", "<b xmlns='urn:b'/>")], limits: limits)
        #expect(await storeErrorKind { try await store.store(owner: self.alice, elements: [("urn:c", "<c xmlns='urn:c'/>")], limits: limits) } == .limitReached)
        let big = "<a xmlns='urn:a'>" + String(repeating: "x", count: 60) + "</a>"
        #expect(await storeErrorKind { try await store.store(owner: self.alice, elements: [("urn:a", big)], limits: limits) } == .limitReached)
        #expect(try await store.element(owner: alice, namespace: "urn:a") == "<a xmlns='urn:a'>2</a>")
        #expect(try await store.element(owner: alice, namespace: "urn:c") == nil)
        #expect(await storeErrorKind { try await store.store(owner: "ghost@example.com", elements: [("urn:a", "<a/>")], limits: limits) } == .userNotFound)
    }

    @Test func everythingGoesWithTheAccount() async throws {
        let database = try await database()
        try await database.privateStorage.store(owner: alice, elements: [("urn:a", "<a xmlns='urn:a'/>")],
                                                limits: PrivateStorageLimits(maxNamespaces: 1, maxBytes: 100))
        try await database.accounts.delete(jid: alice)
        let rows = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM private_xml")
        }
        #expect(rows == 0)
    }
}
