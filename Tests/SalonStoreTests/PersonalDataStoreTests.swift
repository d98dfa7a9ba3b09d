import Foundation
import GRDB
import SalonTestSupport
import Testing
@testable import SalonStore

/// Private XML storage and PEP nodes, once per backend (`TestBackend`), but for the upgrade of
/// an older file, which is SQLite's.
@Suite struct PersonalDataStoreTests {
    let alice = "alice@example.com"
    let limits = PEPLimits(maxNodes: 2, maxItemsPerNode: 3, maxItemBytes: 100, maxAccountBytes: 250)
    let config = PEPNodeConfig(accessModel: "presence", maxItems: 2, persistItems: true, sendLastPublishedItem: "on_sub_and_presence")

    /// `body` with a fresh backend of `kind` holding alice's account.
    private func withAlice(_ kind: TestBackend, _ body: (any StoreBackend) async throws -> Void) async throws {
        try await withBackend(kind) { database async throws in
            try await database.accounts.create(jid: alice, credentials: [])
            try await body(database)
        }
    }

    private func publish(_ pep: any PEPStore, _ node: String, _ id: String, _ payload: String = "<x xmlns='urn:x'/>",
                         accepts: @escaping @Sendable (PEPNodeConfig) -> Bool = { _ in true }) async throws -> PEPPublishOutcome {
        try await pep.publish(owner: alice, node: node, item: PEPItem(id: id, payload: payload, publisher: alice),
                              newConfig: config, limits: limits, accepts: accepts)
    }

    @Test(arguments: TestBackend.all) func privateStorageReplacesByNamespaceWithinLimits(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let store = database.privateStorage
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
    }

    @Test(arguments: TestBackend.all) func publishCreatesReplacesAndTrims(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let pep = database.pep
            #expect(try await publish(pep, "urn:n", "1") == .published(node: PEPNode(name: "urn:n", config: config), created: true))
            #expect(try await publish(pep, "urn:n", "2") == .published(node: PEPNode(name: "urn:n", config: config), created: false))
            // Republishing an id makes it the newest; max_items 2 drops the oldest.
            _ = try await publish(pep, "urn:n", "1", "<x xmlns='urn:x'>again</x>")
            _ = try await publish(pep, "urn:n", "3")
            #expect(try await pep.items(owner: alice, node: "urn:n").map(\.id) == ["1", "3"])
            #expect(try await pep.items(owner: alice, node: "urn:n", max: 1).map(\.id) == ["3"])
            #expect(try await pep.items(owner: alice, node: "urn:n", ids: ["1", "9"]).map(\.payload) == ["<x xmlns='urn:x'>again</x>"])
            #expect(try await pep.lastItems(owner: alice).map(\.item.id) == ["3"])
            // A refused precondition writes nothing.
            #expect(try await publish(pep, "urn:n", "4", accepts: { _ in false }) == .refused(current: config))
            #expect(try await pep.items(owner: alice, node: "urn:n").map(\.id) == ["1", "3"])
        }
    }

    @Test(arguments: TestBackend.all) func limitsOnNodesItemBytesAndAccountBytes(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let pep = database.pep
            _ = try await publish(pep, "urn:a", "1")
            _ = try await publish(pep, "urn:b", "1")
            #expect(await storeErrorKind { _ = try await publish(pep, "urn:c", "1") } == .limitReached)
            #expect(try await pep.node(owner: alice, node: "urn:c") == nil)
            let tooBig = "<x xmlns='urn:x'>" + String(repeating: "y", count: 100) + "</x>"
            #expect(await storeErrorKind { _ = try await publish(pep, "urn:a", "2", tooBig) } == .limitReached)
            let large = "<x xmlns='urn:x'>" + String(repeating: "y", count: 70) + "</x>"
            _ = try await publish(pep, "urn:a", "2", large)
            _ = try await publish(pep, "urn:b", "2", large)
            #expect(await storeErrorKind { _ = try await publish(pep, "urn:b", "3", large) } == .limitReached)
            #expect(try await pep.items(owner: alice, node: "urn:b").map(\.id) == ["1", "2"])
        }
    }

    @Test(arguments: TestBackend.all) func retractPurgeConfigureDeleteAndSubscriptions(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let pep = database.pep
            _ = try await publish(pep, "urn:n", "1")
            _ = try await publish(pep, "urn:n", "2")
            #expect(try await pep.retract(owner: alice, node: "urn:n", itemID: "1"))
            #expect(try await !pep.retract(owner: alice, node: "urn:n", itemID: "1"))
            var fewer = config
            fewer.persistItems = false
            #expect(try await pep.configure(owner: alice, node: PEPNode(name: "urn:n", config: fewer), limits: limits))
            #expect(try await pep.items(owner: alice, node: "urn:n").isEmpty)
            #expect(try await pep.node(owner: alice, node: "urn:n")?.config == fewer)
            #expect(try await pep.subscribe(owner: alice, node: "urn:n", jid: "bob@example.com", maxSubscribers: 1))
            #expect(await storeErrorKind { _ = try await pep.subscribe(owner: self.alice, node: "urn:n", jid: "carol@example.com", maxSubscribers: 1) } == .limitReached)
            #expect(try await pep.subscribers(owner: alice, node: "urn:n") == ["bob@example.com"])
            #expect(try await !pep.create(owner: alice, node: PEPNode(name: "urn:n", config: config), limits: limits))
            #expect(try await pep.delete(owner: alice, node: "urn:n"))
            #expect(try await pep.subscribers(owner: alice, node: "urn:n").isEmpty)
            #expect(try await !pep.purge(owner: alice, node: "urn:n"))
        }
    }

    @Test(arguments: TestBackend.all) func affiliationsAndSubscriptionsOfOneJID(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let pep = database.pep
            #expect(try await pep.affiliations(owner: alice, node: "urn:n") == nil)
            #expect(try await !pep.setAffiliations(owner: alice, node: "urn:n", [(jid: "bob@x", affiliation: "member")], limit: 5))
            _ = try await publish(pep, "urn:n", "1")
            _ = try await publish(pep, "urn:m", "1")
            #expect(try await pep.affiliations(owner: alice, node: "urn:n")?.isEmpty == true)
            #expect(try await pep.setAffiliations(owner: alice, node: "urn:n",
                                                  [(jid: "carol@x", affiliation: "outcast"), (jid: "bob@x", affiliation: "member")], limit: 2))
            #expect(try await pep.setAffiliations(owner: alice, node: "urn:m", [(jid: "bob@x", affiliation: "outcast")], limit: 2))
            #expect(try await pep.affiliations(owner: alice, node: "urn:n")?.map { "\($0.jid) \($0.affiliation)" } == ["bob@x member", "carol@x outcast"])
            #expect(try await pep.affiliation(owner: alice, node: "urn:n", jid: "bob@x") == "member")
            #expect(try await pep.affiliations(owner: alice, of: "bob@x").map { "\($0.node) \($0.affiliation)" } == ["urn:m outcast", "urn:n member"])
            // Over the limit, or a value that is no affiliation: nothing of the request is kept.
            #expect(await storeErrorKind {
                _ = try await pep.setAffiliations(owner: self.alice, node: "urn:n", [(jid: "dave@x", affiliation: "member")], limit: 2)
            } == .limitReached)
            #expect(await storeErrorKind {
                _ = try await pep.setAffiliations(owner: self.alice, node: "urn:n", [(jid: "bob@x", affiliation: "owner")], limit: 5)
            } == .invalidArgument)
            #expect(try await pep.setAffiliations(owner: alice, node: "urn:n", [(jid: "bob@x", affiliation: "none")], limit: 2))
            #expect(try await pep.affiliation(owner: alice, node: "urn:n", jid: "bob@x") == nil)

            // A bare JID finds its own subscription and its resources', whatever their ASCII case.
            for jid in ["bob@x", "Bob@x/phone", "bob@x/laptop", "bob@xy/r", "bob@x_/r"] {
                #expect(try await pep.subscribe(owner: alice, node: "urn:n", jid: jid, maxSubscribers: 10))
            }
            #expect(try await pep.subscriptions(owner: alice, of: "bob@x").map(\.jid) == ["Bob@x/phone", "bob@x", "bob@x/laptop"])
            #expect(try await pep.subscriptions(owner: alice, of: "bob@x/laptop").map(\.jid) == ["bob@x/laptop"])
            #expect(try await !pep.subscribe(owner: alice, node: "urn:none", jid: "bob@x", maxSubscribers: 10))
            #expect(try await pep.unsubscribe(owner: alice, node: "urn:n", jid: "bob@x"))
            #expect(try await !pep.unsubscribe(owner: alice, node: "urn:n", jid: "bob@x"))
            // Deleting the node takes its affiliations and subscriptions.
            #expect(try await pep.delete(owner: alice, node: "urn:n"))
            #expect(try await pep.affiliations(owner: alice, of: "carol@x").isEmpty)
            #expect(try await pep.subscriptions(owner: alice, of: "bob@x").isEmpty)
        }
    }

    @Test(arguments: TestBackend.all) func hostilePEPAndPrivateValuesAreRefusedAlike(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let pep = database.pep
            #expect(await storeErrorKind { _ = try await publish(pep, "urn:n", "1", "<x>\u{0}</x>") } == .invalidArgument)
            #expect(await storeErrorKind { _ = try await publish(pep, "urn:\u{0}", "1") } == .invalidArgument)
            #expect(await storeErrorKind { _ = try await publish(pep, "", "1") } == .invalidArgument)
            #expect(await storeErrorKind { _ = try await publish(pep, "urn:n", "1\u{0}") } == .invalidArgument)
            #expect(try await pep.nodes(owner: alice).isEmpty)
            #expect(try await pep.node(owner: alice, node: "urn:\u{0}") == nil)
            #expect(try await pep.items(owner: alice, node: "urn:\u{0}").isEmpty)
            #expect(await storeErrorKind {
                _ = try await pep.publish(owner: "gh\u{0}ost@x", node: "urn:n", item: PEPItem(id: "1", payload: "<x/>", publisher: nil),
                                          newConfig: self.config, limits: self.limits, accepts: { _ in true })
            } == .userNotFound)
            let store = database.privateStorage
            let limits = PrivateStorageLimits(maxNamespaces: 5, maxBytes: 500)
            #expect(await storeErrorKind { try await store.store(owner: self.alice, elements: [("urn:a", "<a>\u{0}</a>")], limits: limits) } == .invalidArgument)
            #expect(await storeErrorKind { try await store.store(owner: self.alice, elements: [("urn:\u{0}", "<a/>")], limits: limits) } == .invalidArgument)
            #expect(try await store.element(owner: alice, namespace: "urn:\u{0}") == nil)
        }
    }

    @Test func anOlderFileGainsTheTablesAndKeepsItsAccounts() async throws {
        try await withTemporaryDirectory { path in
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: path + "/" + SalonDatabase.fileName)
            try SalonSchema.migrator.migrate(old, upTo: "v8-room-subject-author")
            try await old.write { db in
                try db.execute(sql: "INSERT INTO users (jid, created_at) VALUES (?, 0)", arguments: [alice])
            }
            try old.close()
            let database = try SalonDatabase(directory: path)
            _ = try await publish(database.pep, "urn:n", "1")
            try await database.privateStorage.store(owner: alice, elements: [("urn:a", "<a xmlns='urn:a'/>")],
                                                    limits: PrivateStorageLimits(maxNamespaces: 1, maxBytes: 100))
            #expect(try await database.pep.items(owner: alice, node: "urn:n").map(\.id) == ["1"])
            try database.close()
        }
    }

    @Test(arguments: TestBackend.all) func holdersOfItemsAcrossAccountsIgnoreCase(backend: TestBackend) async throws {
        try await withAlice(backend) { database async throws in
            let bob = "bob@example.com"
            try await database.accounts.create(jid: bob, credentials: [])
            let pep = database.pep
            _ = try await publish(pep, "urn:marks", "Lobby@chat.example.com")
            _ = try await publish(pep, "urn:other", "lobby@chat.example.com")
            _ = try await pep.publish(owner: bob, node: "urn:marks", item: PEPItem(id: "lobby@chat.example.com", payload: "<x xmlns='urn:x'/>", publisher: bob),
                                      newConfig: config, limits: limits, accepts: { _ in true })
            _ = try await pep.publish(owner: bob, node: "urn:marks", item: PEPItem(id: "cafe@chat.example.com", payload: "<x xmlns='urn:x'/>", publisher: bob),
                                      newConfig: config, limits: limits, accepts: { _ in true })
            let found = try await pep.holders(ofItems: ["lobby@chat.example.com", "gone@chat.example.com"], in: "urn:marks")
            #expect(found.map { "\($0.owner) \($0.itemID)" } == ["alice@example.com Lobby@chat.example.com", "bob@example.com lobby@chat.example.com"])
            #expect(try await pep.holders(ofItems: [], in: "urn:marks").isEmpty)
        }
    }
}
