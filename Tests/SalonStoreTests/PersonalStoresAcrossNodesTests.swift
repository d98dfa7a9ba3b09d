import Foundation
@testable import SalonStore
import SalonTestSupport
import Testing

/// What only PostgreSQL has to prove for the per-account stores: two nodes (two connection
/// pools on one database) writing the same account at once keep its limits and its offline
/// queue's order, and two drains at once hand each message to one of them.
@Suite(.enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
struct PersonalStoresAcrossNodesTests {
    let alice = "alice@example.com"

    /// `body` with two nodes on one fresh schema holding alice's account.
    private func withTwoNodes(_ body: ([PostgresBackend]) async throws -> Void) async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let nodes = [try await PostgresBackend.open(configuration), try await PostgresBackend.open(configuration)]
            do {
                try await nodes[0].accounts.create(jid: alice, credentials: [])
                try await body(nodes)
            } catch {
                for node in nodes { await node.shutdown() }
                throw error
            }
            for node in nodes { await node.shutdown() }
        }
    }

    /// Runs `attempt` `times` times at once, alternating the nodes; returns how many threw limitReached.
    private func refusals(_ nodes: [PostgresBackend], times: Int,
                          _ attempt: @escaping @Sendable (PostgresBackend, Int) async throws -> Void) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<times {
                let node = nodes[index % nodes.count]
                group.addTask { await storeErrorKind { try await attempt(node, index) } == .limitReached }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }

    @Test func offlineQueuesKeepTheirCapAndOrderAcrossNodes() async throws {
        try await withTwoNodes { nodes async throws in
            let stores: [any OfflineStore] = [nodes[0].offline, nodes[1].offline, nodes[0].offline, nodes[1].offline]
            let accepted = try await enqueueConcurrently(on: stores, owner: alice, each: 15, limit: 40)
            try await expectQueue(nodes[1].offline, owner: alice, holds: accepted, limit: 40)
        }
    }

    @Test func drainsOnTwoNodesAtOnceHandEachMessageToOne() async throws {
        try await withTwoNodes { nodes async throws in
            let stanzas = (0..<60).map { "<message id='\($0)'/>" }
            for stanza in stanzas {
                #expect(try await nodes[0].offline.enqueue(owner: alice, stanza: stanza, limit: 100))
            }
            async let first = nodes[0].offline.drain(owner: alice)
            async let second = nodes[1].offline.drain(owner: alice)
            let (one, other) = try await (first, second)
            // Each drain is oldest first, and between them every message, once.
            #expect(one == stanzas.filter(one.contains))
            #expect(other == stanzas.filter(other.contains))
            #expect((one + other).sorted() == stanzas.sorted())
        }
    }

    @Test func blocklistAndPushLimitsHoldAcrossNodes() async throws {
        try await withTwoNodes { nodes async throws in
            let alice = self.alice
            let blocked = try await refusals(nodes, times: 12) { node, index in
                try await node.blocklists.block(owner: alice, jids: ["b\(index)@x"], limit: 5)
            }
            #expect(blocked == 7)
            #expect(try await nodes[0].blocklists.items(owner: alice).count == 5)
            let pushed = try await refusals(nodes, times: 12) { node, index in
                try await node.push.enable(owner: alice, PushRegistration(service: "push.x", node: "n\(index)"), limit: 3)
            }
            #expect(pushed == 9)
            #expect(try await nodes[1].push.registrations(owner: alice).count == 3)
        }
    }

    @Test func pepAndPrivateStorageLimitsHoldAcrossNodes() async throws {
        try await withTwoNodes { nodes async throws in
            let alice = self.alice
            let limits = PEPLimits(maxNodes: 3, maxItemsPerNode: 5, maxItemBytes: 100, maxAccountBytes: 10_000)
            let config = PEPNodeConfig(accessModel: "presence", maxItems: 5, persistItems: true, sendLastPublishedItem: "never")
            let nodesRefused = try await refusals(nodes, times: 10) { node, index in
                _ = try await node.pep.publish(owner: alice, node: "urn:n\(index)", item: PEPItem(id: "1", payload: "<x/>", publisher: alice),
                                               newConfig: config, limits: limits, accepts: { _ in true })
            }
            #expect(nodesRefused == 7)
            #expect(try await nodes[0].pep.nodes(owner: alice).count == 3)
            let subscribersRefused = try await refusals(nodes, times: 10) { node, index in
                let name = try await nodes[0].pep.nodes(owner: alice)[0].name
                _ = try await node.pep.subscribe(owner: alice, node: name, jid: "s\(index)@x", maxSubscribers: 4)
            }
            #expect(subscribersRefused == 6)
            let privateRefused = try await refusals(nodes, times: 10) { node, index in
                try await node.privateStorage.store(owner: alice, elements: [("urn:p\(index)", "<p/>")],
                                                    limits: PrivateStorageLimits(maxNamespaces: 4, maxBytes: 10_000))
            }
            #expect(privateRefused == 6)
        }
    }

    @Test func roomPageSessionsStayBoundedAcrossNodes() async throws {
        try await withTwoNodes { nodes async throws in
            let alice = self.alice
            let expires = Date().addingTimeInterval(600)
            _ = try await refusals(nodes, times: 10) { node, index in
                try await node.webSessions.create(tokenHash: "h\(index)", account: alice, expires: expires, maxPerAccount: 3)
            }
            #expect(try await nodes[1].webSessions.count(account: alice) == 3)
        }
    }
}
