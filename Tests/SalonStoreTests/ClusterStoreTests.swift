import Foundation
@testable import SalonStore
import SalonTestSupport
import Testing

/// Issue #21's membership and leases on PostgreSQL: two nodes (two connection pools on one
/// schema) register, heartbeat, leave and die; leases are taken, kept, refused and taken
/// over with a greater epoch, and the fence refuses a writer whose epoch is old. A dead node
/// is made by writing an old heartbeat, never by waiting.
@Suite(.enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
struct ClusterStoreTests {
    /// Two nodes' views of one fresh schema, and the schema's name for the test's own SQL.
    struct Nodes {
        let backends: [PostgresBackend]
        let schema: String
        // Generous: a loaded machine must not let a live node's heartbeat age past it mid-test
        // (`age` makes a node dead outright).
        var a: any ClusterStore { backends[0].cluster(deadAfter: .seconds(60))! }
        var b: any ClusterStore { backends[1].cluster(deadAfter: .seconds(60))! }

        /// Makes `node`'s last heartbeat an hour old: dead by every node's reckoning.
        func age(_ node: String) async throws {
            try await TestCluster.run("UPDATE cluster_nodes SET heartbeat_at = now() - interval '1 hour' WHERE id = '\(node)'",
                                      schema: schema)
        }

        func state(of node: String) async throws -> ClusterNode.State? {
            try await a.nodes().first { $0.id == node }?.state
        }
    }

    private func withTwoNodes(_ body: (Nodes) async throws -> Void) async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let backends = [try await PostgresBackend.open(configuration), try await PostgresBackend.open(configuration)]
            do {
                try await body(Nodes(backends: backends, schema: configuration.schema!))
            } catch {
                for backend in backends { await backend.shutdown() }
                throw error
            }
            for backend in backends { await backend.shutdown() }
        }
    }

    @Test func registeredNodesAreLiveOnEveryNodeWithTheirAddresses() async throws {
        try await withTwoNodes { nodes in
            #expect(try await nodes.a.register(node: "a", address: "127.0.0.1:7001") == false)
            #expect(try await nodes.b.register(node: "b", address: "127.0.0.1:7002") == false)
            for view in [nodes.a, nodes.b] {
                let seen = try await view.nodes()
                #expect(seen.map(\.id) == ["a", "b"])
                #expect(seen.map(\.address) == ["127.0.0.1:7001", "127.0.0.1:7002"])
                #expect(seen.allSatisfy { $0.state == .live && $0.leftAt == nil && $0.heartbeatAge < 60 })
            }
            #expect(try await nodes.a.heartbeat(node: "a"))
            #expect(try await nodes.a.heartbeat(node: "nobody") == false)
            // The same id registered again while live: another process, or a quick restart.
            #expect(try await nodes.b.register(node: "a", address: "127.0.0.1:7003"))
            #expect(try await nodes.a.nodes().first?.address == "127.0.0.1:7003")
        }
    }

    @Test func aNodeWhoseHeartbeatIsOlderThanDeadAfterIsDeadUntilItBeatsAgain() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.age("a")
            let dead = try #require(try await nodes.b.nodes().first)
            #expect(dead.state == .dead)
            #expect(dead.heartbeatAge >= 3600)
            // The interval is the store's: by a longer one, the same heartbeat is still live.
            #expect(try await nodes.backends[1].cluster(deadAfter: .seconds(7200))!.nodes().first?.state == .live)
            #expect(try await nodes.a.heartbeat(node: "a"))
            #expect(try await nodes.state(of: "a") == .live)
        }
    }

    @Test func aNodeThatLeftStaysLeftUntilItRegistersAgain() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.a.leave(node: "a")
            #expect(try await nodes.state(of: "a") == .left)
            #expect(try await nodes.b.nodes().first?.leftAt != nil)
            #expect(try await nodes.a.heartbeat(node: "a") == false)
            #expect(try await nodes.state(of: "a") == .left)
            #expect(try await nodes.a.register(node: "a", address: "127.0.0.1:7001") == false)
            #expect(try await nodes.state(of: "a") == .live)
        }
    }

    @Test func nodesGoneLongerThanTheRetentionAreForgottenWithTheirSessionsAndLeaseHolds() async throws {
        try await withTwoNodes { nodes in
            for node in ["a", "b", "c", "d"] { try await nodes.a.register(node: node, address: "127.0.0.1:7001") }
            #expect(try await nodes.a.acquire(room: "kept", node: "c") == .granted(RoomLease(room: "kept", node: "c", epoch: 1)))
            try await nodes.a.recordSessions(node: "c", bound: ["x@example.com/1"], ended: [])
            try await nodes.a.recordSessions(node: "a", bound: ["y@example.com/1"], ended: [])
            // b left two days ago, c's heartbeat stopped two days ago, d died an hour ago, a is live.
            try await nodes.a.leave(node: "b")
            try await TestCluster.run("UPDATE cluster_nodes SET left_at = now() - interval '2 days', heartbeat_at = now() WHERE id = 'b'",
                                      schema: nodes.schema)
            try await TestCluster.run("UPDATE cluster_nodes SET heartbeat_at = now() - interval '2 days' WHERE id = 'c'", schema: nodes.schema)
            try await nodes.age("d")
            #expect(try await nodes.b.forgetNodes(goneFor: .seconds(86_400)) == ["b", "c"])
            #expect(try await nodes.a.nodes().map(\.id) == ["a", "d"])
            #expect(try await nodes.a.sessionCounts() == ["a": 1])
            #expect(try await nodes.a.leaseCounts().isEmpty)
            // The room's lease row stayed: the next holder gets a greater epoch.
            #expect(try await nodes.a.acquire(room: "kept", node: "a") == .granted(RoomLease(room: "kept", node: "a", epoch: 2)))
            #expect(try await nodes.a.forgetNodes(goneFor: .seconds(86_400)).isEmpty)
            // A forgotten node that comes back registers afresh.
            #expect(try await nodes.b.register(node: "c", address: "127.0.0.1:7003") == false)
            #expect(try await nodes.state(of: "c") == .live)
        }
    }

    @Test func aLeaseIsGrantedKeptRefusedAndTakenOverWithAGreaterEpoch() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.b.register(node: "b", address: "127.0.0.1:7002")
            let first = RoomLease(room: "lobby", node: "a", epoch: 1)
            #expect(try await nodes.a.acquire(room: "lobby", node: "a") == .granted(first))
            // Already ours: the epoch stays.
            #expect(try await nodes.a.acquire(room: "lobby", node: "a") == .granted(first))
            // Held by a live node: refused, naming the holder.
            #expect(try await nodes.b.acquire(room: "lobby", node: "b") == .heldElsewhere(first))
            // The holder dies: taken over, epoch + 1.
            try await nodes.age("a")
            let second = RoomLease(room: "lobby", node: "b", epoch: 2)
            #expect(try await nodes.b.acquire(room: "lobby", node: "b") == .granted(second))
            // The old holder comes back: refused, the room is b's now.
            #expect(try await nodes.a.heartbeat(node: "a"))
            #expect(try await nodes.a.acquire(room: "lobby", node: "a") == .heldElsewhere(second))
            // The holder leaves: taken over again.
            try await nodes.b.leave(node: "b")
            #expect(try await nodes.a.acquire(room: "lobby", node: "a") == .granted(RoomLease(room: "lobby", node: "a", epoch: 3)))
            // Released: the row stays, so the next holder's epoch is greater still.
            #expect(try await nodes.a.release(room: "lobby", node: "a"))
            #expect(try await nodes.a.release(room: "lobby", node: "a") == false)
            try await nodes.b.register(node: "b", address: "127.0.0.1:7002")
            #expect(try await nodes.b.acquire(room: "lobby", node: "b") == .granted(RoomLease(room: "lobby", node: "b", epoch: 4)))
        }
    }

    @Test func aRoomsOccupantsAreRecordedOnlyByItsLeaseHolder() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.b.register(node: "b", address: "127.0.0.1:7002")
            guard case .granted(let first) = try await nodes.a.acquire(room: "lobby", node: "a") else {
                Issue.record("node a did not get the free room's lease")
                return
            }
            let seated = [
                RecordedOccupant(nick: "Ann", session: "ann@salon.test/phone", node: "a", affiliation: "member"),
                RecordedOccupant(nick: "Ann", session: "ann@salon.test/laptop", node: "b", affiliation: "member"),
                RecordedOccupant(nick: "Bob", session: "bob@salon.test/x", node: "b", affiliation: "owner"),
            ]
            #expect(try await nodes.a.recordOccupants(seated, lease: first))
            #expect(Set(try await nodes.b.recordedOccupants(of: "lobby")) == Set(seated))
            // A new record replaces the old one; other rooms have none.
            #expect(try await nodes.a.recordOccupants(Array(seated.prefix(1)), lease: first))
            #expect(try await nodes.b.recordedOccupants(of: "lobby") == Array(seated.prefix(1)))
            #expect(try await nodes.b.recordedOccupants(of: "elsewhere").isEmpty)
            // The room changes hands: the old holder's record is refused, the new one's kept.
            try await nodes.age("a")
            guard case .granted(let second) = try await nodes.b.acquire(room: "lobby", node: "b") else {
                Issue.record("node b did not take the dead node's room")
                return
            }
            #expect(try await nodes.a.recordOccupants([], lease: first) == false)
            #expect(try await nodes.b.recordedOccupants(of: "lobby") == Array(seated.prefix(1)))
            #expect(try await nodes.b.recordOccupants([], lease: second))
            #expect(try await nodes.b.recordedOccupants(of: "lobby").isEmpty)
            // Text PostgreSQL cannot store is refused before any SQL runs.
            await #expect(throws: StoreError.self) {
                try await nodes.b.recordOccupants([RecordedOccupant(nick: "a\u{0}b", session: "c@d/e", node: "b", affiliation: "none")],
                                                  lease: second)
            }
        }
    }

    @Test func leasesAreListedAndCountedPerNode() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.b.register(node: "b", address: "127.0.0.1:7002")
            for room in ["r1", "r2", "r3"] { _ = try await nodes.a.acquire(room: room, node: "a") }
            _ = try await nodes.b.acquire(room: "r4", node: "b")
            #expect(try await nodes.b.leases(of: "a").map(\.room) == ["r1", "r2", "r3"])
            #expect(try await nodes.b.leaseCounts() == ["a": 3, "b": 1])
            // Leaving gives every lease back; so does a new start of the same id.
            try await nodes.a.leave(node: "a")
            #expect(try await nodes.b.leases(of: "a").isEmpty)
            #expect(try await nodes.b.register(node: "b", address: "127.0.0.1:7002"))
            #expect(try await nodes.a.leaseCounts().isEmpty)
        }
    }

    @Test func aNewStartOfANodeTakesItsRoomsBackWithANewEpoch() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            #expect(try await nodes.a.acquire(room: "lobby", node: "a") == .granted(RoomLease(room: "lobby", node: "a", epoch: 1)))
            // A crash and a quick restart: whatever the earlier process still writes is fenced off.
            try await nodes.b.register(node: "a", address: "127.0.0.1:7001")
            #expect(try await nodes.b.acquire(room: "lobby", node: "a") == .granted(RoomLease(room: "lobby", node: "a", epoch: 2)))
        }
    }

    @Test func twoNodesTakingOneFreeRoomAtOnceGetOneLease() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.b.register(node: "b", address: "127.0.0.1:7002")
            for index in 0..<20 {
                let room = "room-\(index)"
                async let one = nodes.a.acquire(room: room, node: "a")
                async let other = nodes.b.acquire(room: room, node: "b")
                let outcomes = try await [one, other]
                let granted = outcomes.compactMap { outcome -> RoomLease? in
                    if case .granted(let lease) = outcome { lease } else { nil }
                }
                #expect(granted.count == 1)
                #expect(outcomes.allSatisfy { outcome -> Bool in
                    switch outcome { case .granted(let lease), .heldElsewhere(let lease): lease == granted.first }
                })
            }
        }
    }

    @Test func onlyALiveNodeTakesLeasesAndBadNamesAreRefused() async throws {
        try await withTwoNodes { nodes in
            #expect(await storeErrorKind { _ = try await nodes.a.acquire(room: "lobby", node: "ghost") } == .notClusterMember)
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.a.leave(node: "a")
            #expect(await storeErrorKind { _ = try await nodes.a.acquire(room: "lobby", node: "a") } == .notClusterMember)
            for bad in ["", "has space", "new\nline", "nul\u{0}", "é", String(repeating: "n", count: 129)] {
                #expect(await storeErrorKind { try await nodes.a.register(node: bad, address: "127.0.0.1:7001") } == .invalidArgument)
            }
            for bad in ["", "two words", "nul\u{0}"] {
                #expect(await storeErrorKind { try await nodes.a.register(node: "c", address: bad) } == .invalidArgument)
            }
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            for bad in ["", "nul\u{0}", String(repeating: "r", count: 1024)] {
                #expect(await storeErrorKind { _ = try await nodes.a.acquire(room: bad, node: "a") } == .invalidArgument)
            }
            #expect(try await nodes.a.release(room: "nul\u{0}", node: "a") == false)
            #expect(try await nodes.a.leases(of: "has space").isEmpty)
        }
    }

    @Test func theFencePassesTheCurrentEpochAndRefusesAnOldOne() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.b.register(node: "b", address: "127.0.0.1:7002")
            _ = try await nodes.a.acquire(room: "lobby", node: "a")
            let fence = { (lease: RoomLease) in
                await storeErrorKind {
                    try await nodes.backends[0].access.transaction { try await PostgresLeaseFence.check(lease, in: $0) }
                }
            }
            #expect(await fence(RoomLease(room: "lobby", node: "a", epoch: 1)) == nil)
            try await nodes.age("a")
            _ = try await nodes.b.acquire(room: "lobby", node: "b")
            #expect(await fence(RoomLease(room: "lobby", node: "a", epoch: 1)) == .leaseLost)
            #expect(await fence(RoomLease(room: "lobby", node: "b", epoch: 1)) == .leaseLost)
            #expect(await fence(RoomLease(room: "lobby", node: "b", epoch: 2)) == nil)
            #expect(await fence(RoomLease(room: "elsewhere", node: "b", epoch: 2)) == .leaseLost)
            #expect(await fence(RoomLease(room: "nul\u{0}", node: "b", epoch: 2)) == .leaseLost)
        }
    }

    @Test func archivedPostsCarryingALeaseAreStoredOnlyWhileItHolds() async throws {
        try await withTwoNodes { nodes in
            try await nodes.a.register(node: "a", address: "127.0.0.1:7001")
            try await nodes.b.register(node: "b", address: "127.0.0.1:7002")
            _ = try await nodes.a.acquire(room: "lobby", node: "a")
            _ = try await nodes.b.acquire(room: "hall", node: "b")
            let writer = nodes.backends[0].archiveWriter(maxBatch: 64, commitObserver: nil)
            let fenced = { (message: StoredMessage, lease: RoomLease) -> StoredMessage in
                var message = message
                message.lease = lease
                return message
            }
            #expect(try await writer.append(fenced(archiveMessage("lobby", 1), RoomLease(room: "lobby", node: "a", epoch: 1))) == 1)
            try await nodes.age("a")
            _ = try await nodes.b.acquire(room: "lobby", node: "b")
            // Queued together, so they share a group commit: only the post whose lease moved fails.
            let results = await appendTogether(writer, [
                fenced(archiveMessage("lobby", 2), RoomLease(room: "lobby", node: "a", epoch: 1)),
                fenced(archiveMessage("hall", 1), RoomLease(room: "hall", node: "b", epoch: 1)),
                archiveMessage("lobby", 3),
                fenced(archiveMessage("lobby", 4), RoomLease(room: "lobby", node: "b", epoch: 2)),
            ])
            #expect(await storeErrorKind { _ = try results[0].get() } == .leaseLost)
            #expect(try results[1].get() == 1)
            #expect(try results[2].get() == 2)
            #expect(try results[3].get() == 3)
            // A lease of another room is refused before anything is written.
            let mismatched = fenced(archiveMessage("lobby", 5), RoomLease(room: "hall", node: "b", epoch: 1))
            #expect(await storeErrorKind { _ = try await writer.append(mismatched) } == .invalidArgument)
            await writer.close()
            let archived = try await nodes.backends[1].archive.query(ArchiveQuery(rooms: ["lobby"])).messages.map(\.stanzaID)
            #expect(archived == ["lobby-1", "lobby-3", "lobby-4"])
        }
    }

    /// Queues `messages` at once (the completion form, so none waits for another) and returns
    /// each one's result, in order.
    private func appendTogether(_ writer: any ArchiveWriter, _ messages: [StoredMessage]) async -> [Result<Int64, any Error>] {
        let (results, arrived) = AsyncStream.makeStream(of: (Int, Result<Int64, any Error>).self)
        for (index, message) in messages.enumerated() {
            writer.append(message) { _ = arrived.yield((index, $0)) }
        }
        var byIndex: [Int: Result<Int64, any Error>] = [:]
        for await (index, result) in results {
            byIndex[index] = result
            if byIndex.count == messages.count { break }
        }
        return messages.indices.map { byIndex[$0]! }
    }

    @Test func joinsAndLeavesAreAnnouncedToListenersInOrder() async throws {
        try await withTwoNodes { nodes in
            let (readiness, ready) = AsyncStream.makeStream(of: Void.self)
            let (events, heard) = AsyncStream.makeStream(of: ClusterEvent.self)
            let listener = nodes.a
            let watching = Task {
                try await listener.watch(ready: { _ = ready.yield() }) { _ = heard.yield($0) }
            }
            for await _ in readiness { break }
            try await nodes.b.register(node: "b", address: "127.0.0.1:7002")
            try await nodes.b.leave(node: "b")
            // A leave of a node that already left is not announced again.
            try await nodes.b.leave(node: "b")
            try await nodes.b.register(node: "c", address: "127.0.0.1:7003")
            var received: [ClusterEvent] = []
            for await event in events {
                received.append(event)
                if received.count == 3 { break }
            }
            #expect(received == [.joined(node: "b"), .left(node: "b"), .joined(node: "c")])
            watching.cancel()
            try await watching.value
        }
    }
}

/// What needs no PostgreSQL: SQLite's lack of a cluster, and the announcements' form.
struct ClusterSeamTests {
    @Test(arguments: TestBackend.all)
    func onlyPostgreSQLHasACluster(backend: TestBackend) async throws {
        try await withBackend(backend) { database in
            #expect((database.cluster(deadAfter: .seconds(5)) == nil) == (backend == .sqlite))
        }
    }

    @Test func announcementsOnlyCarryNodeIds() {
        #expect(ClusterEvent(payload: "joined node-1") == .joined(node: "node-1"))
        #expect(ClusterEvent(payload: "left node-1") == .left(node: "node-1"))
        for foreign in ["", "joined", "moved node-1", "joined two words", "left <message/>"] {
            #expect(ClusterEvent(payload: foreign) == nil)
        }
        #expect(ClusterEvent(payload: ClusterEvent.joined(node: "a:1").payload) == .joined(node: "a:1"))
    }
}
