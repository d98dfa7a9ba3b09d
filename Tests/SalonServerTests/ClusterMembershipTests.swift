import Foundation
import PersistentChat
import SalonAdmin
import SalonClient
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing

/// Issue #21's membership over real servers: two `SalonServer`s with `cluster.enabled` on one
/// PostgreSQL schema see each other, agree on every room's owner, and one that stops is
/// dropped by the other through its leave announcement, its rooms moving to the survivor;
/// a node that stops heartbeating is declared dead by the periodic read.
@Suite(.enabled(if: TestCluster.isEnabled, "SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster)"))
struct ClusterMembershipTests {
    let rooms = (0..<300).map { "room-\($0)" }

    /// A server's configuration as node `id` of the cluster on `storage`.
    static func node(_ id: String, port: Int, storage: PostgresConfiguration,
                     lookInterval: Duration) -> (inout ServerConfiguration) -> Void {
        { configuration in
            var storage = storage
            storage.maximumConnections = 4
            configuration.administration.storage = .postgresql(storage)
            configuration.cluster.enabled = true
            configuration.cluster.nodeID = id
            configuration.cluster.address = "127.0.0.1:\(port)"
            configuration.cluster.secret = ClusterSecret(Array("cluster membership test".utf8))
            configuration.cluster.lookInterval = lookInterval
            // A loaded machine must not make a live node look dead (deaths are made by ageing a heartbeat).
            configuration.cluster.deadAfter = .seconds(30)
        }
    }

    @Test("Two nodes see each other; one stopping is dropped at once by its leave announcement and its rooms move")
    func twoServersSeeEachOtherAndALeaveMovesRooms() async throws {
        try await TestCluster.withScratchSchema { storage async throws in
            // Reads of the whole membership are left to the first one at start: only the
            // announcements can move the live sets in this test.
            let never = Duration.seconds(3600)
            let log = LogCapture(level: .info)
            let (portA, portB) = (freeLoopbackPort(), freeLoopbackPort())
            let a = try await TestServer.start(log: log, configure: Self.node("node-a", port: portA, storage: storage, lookInterval: never))
            let aChanges = ChangeLog(try #require(a.server.cluster))
            let b = try await TestServer.start(configure: Self.node("node-b", port: portB, storage: storage, lookInterval: never))
            do {
                let (nodeA, nodeB) = (try #require(a.server.cluster), try #require(b.server.cluster))
                // b read a at its start; a heard b's join.
                #expect(nodeB.liveNodes.map(\.id) == ["node-a", "node-b"])
                let joined = try await aChanges.next()
                #expect(joined.joined.map(\.id) == ["node-b"])
                #expect(nodeA.liveNodes.map(\.id) == ["node-a", "node-b"])
                #expect(nodeA.liveNodes.map(\.address) == ["127.0.0.1:\(portA)", "127.0.0.1:\(portB)"])
                #expect(log.lines("cluster node joined").contains { $0.contains("node=node-b") && $0.contains("address=127.0.0.1:\(portB)") })
                // Both agree on every room's owner, and each room is local to exactly one.
                #expect(rooms.allSatisfy { nodeA.owner(ofRoom: $0) == nodeB.owner(ofRoom: $0) })
                #expect(rooms.allSatisfy { nodeA.isLocal(room: $0) != nodeB.isLocal(room: $0) })
                let ownedByB = rooms.filter { nodeA.owner(ofRoom: $0) == "node-b" }
                #expect(!ownedByB.isEmpty && ownedByB.count < rooms.count)

                await b.stop()
                let left = try await aChanges.next()
                #expect(left.departed.map(\.id) == ["node-b"])
                #expect(left.departed.first?.state == .left)
                #expect(nodeA.liveNodes.map(\.id) == ["node-a"])
                let moves = left.moves(among: rooms)
                #expect(moves.map(\.room) == ownedByB)
                #expect(moves.allSatisfy { $0.from == "node-b" && $0.to == "node-a" })
                #expect(rooms.allSatisfy { nodeA.isLocal(room: $0) })
                #expect(log.lines("cluster node left").contains { $0.contains("node=node-b") })
            } catch {
                await b.stop()
                await a.stop()
                throw error
            }
            await a.stop()
            a.removeFiles()
            b.removeFiles()
            // Both left cleanly: the database says so.
            let reader = try await PostgresBackend.open(storage)
            let states = try await reader.cluster(deadAfter: .seconds(5))!.nodes().map(\.state)
            await reader.shutdown()
            #expect(states == [.left, .left])
        }
    }

    @Test("A node whose heartbeat stops is declared dead by the periodic read; a running node never declares itself dead")
    func aSilentNodeIsDeclaredDead() async throws {
        try await TestCluster.withScratchSchema { storage async throws in
            let log = LogCapture(level: .info)
            let a = try await TestServer.start(log: log, configure: Self.node("node-a", port: freeLoopbackPort(), storage: storage,
                                                                            lookInterval: .milliseconds(100)))
            do {
                let nodeA = try #require(a.server.cluster)
                let changes = ChangeLog(nodeA)
                // A node that registers and never beats again: a process killed outright.
                let ghost = try await PostgresBackend.open(storage)
                try await ghost.cluster(deadAfter: .seconds(5))!.register(node: "ghost", address: "127.0.0.1:7202")
                await ghost.shutdown()
                #expect(try await changes.next().joined.map(\.id) == ["ghost"])
                // Its heartbeat ages past dead_after (written, not waited for); so does node-a's own,
                // as after a pause of its process, yet node-a goes on counting itself live.
                try await TestCluster.run("UPDATE cluster_nodes SET heartbeat_at = now() - interval '1 minute' WHERE id IN ('ghost', 'node-a')",
                                          schema: storage.schema)
                let death = try await changes.next()
                #expect(death.departed.map(\.id) == ["ghost"])
                #expect(death.departed.first?.state == .dead)
                #expect(nodeA.liveNodes.map(\.id) == ["node-a"])
                #expect(log.lines("cluster node declared dead").contains { $0.contains("node=ghost") && $0.contains("address=127.0.0.1:7202") })
            } catch {
                await a.stop()
                throw error
            }
            await a.stop()
            a.removeFiles()
        }
    }
}

/// Clustering asked for where it cannot work is refused before the server serves.
struct ClusterConfigurationTests {
    @Test func clusterModeOnSQLiteIsAConfigurationErrorNamingTheSetting() async throws {
        let directory = ScratchDirectory.path("salon-test")
        do {
            let server = try await TestServer.start(directory: directory) { configuration in
                configuration.administration.storage = .sqlite
                configuration.cluster.enabled = true
                configuration.cluster.address = "127.0.0.1:7301"
            }
            await server.stop()
            server.removeFiles()
            Issue.record("a clustered server started on SQLite")
        } catch let error as ClusterConfigurationError {
            #expect(error.description.contains("cluster.enabled needs storage.backend: postgresql"))
        }
        // Refused before anything was created.
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func aClusteredNodeNeedsAnAddressOthersCanReach() {
        let storage = StorageConfiguration.postgresql(try! PostgresConfiguration(url: "postgresql://salon@127.0.0.1/salon"))
        var cluster = ClusterConfiguration()
        cluster.enabled = true
        #expect(throws: ClusterConfigurationError.self) { try cluster.check(storage: storage) }
        for bad in ["127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", ":7000", "::1:7000", "host name:7000"] {
            cluster.address = bad
            #expect(throws: ClusterConfigurationError.self, "\(bad)") { try cluster.check(storage: storage) }
        }
        cluster.address = "127.0.0.1:7000"
        #expect(throws: ClusterConfigurationError.self, "no secret") { try cluster.check(storage: storage) }
        cluster.secret = ClusterSecret(Array("s".utf8))
        for good in ["127.0.0.1:7000", "node-1.example.com:5270", "[::1]:7000"] {
            cluster.address = good
            #expect(throws: Never.self, "\(good)") { try cluster.check(storage: storage) }
        }
        cluster.nodeID = "bad id"
        #expect(throws: ClusterConfigurationError.self) { try cluster.check(storage: storage) }
    }

    @Test func theDefaultNodeIdIsTheHostNameAndTheC2SPort() {
        #expect(ClusterConfiguration.defaultNodeID(hostName: "Chat-1.Example.COM", c2sPort: 5222) == "chat-1.example.com-5222")
        #expect(ClusterConfiguration.defaultNodeID(hostName: "weird host_name:x", c2sPort: 5223) == "weird-host_name-x-5223")
        #expect(ClusterConfiguration.defaultNodeID(hostName: "", c2sPort: 5222) == "node-5222")
        let long = ClusterConfiguration.defaultNodeID(hostName: String(repeating: "h", count: 300), c2sPort: 5222)
        #expect(long.utf8.count == ClusterNames.maxNodeIDBytes && long.hasSuffix("-5222") && ClusterNames.isNodeID(long))
        #expect(ClusterNames.isNodeID(ClusterConfiguration.defaultNodeID(hostName: ProcessInfo.processInfo.hostName, c2sPort: 5222)))
    }
}

/// The live-set changes a membership reports, taken one at a time.
final class ChangeLog: Sendable {
    private let changes: AsyncStream<ClusterChange>

    init(_ membership: ClusterMembership) {
        let (changes, continuation) = AsyncStream.makeStream(of: ClusterChange.self)
        membership.observe { _ = continuation.yield($0) }
        self.changes = changes
    }

    /// The next change; fails after a minute without one rather than hanging the run.
    func next() async throws -> ClusterChange {
        try await withThrowingTaskGroup(of: ClusterChange?.self) { group in
            group.addTask { [changes] in
                var iterator = changes.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            defer { group.cancelAll() }
            guard let change = try await group.next() ?? nil else { throw ClientError("no cluster change within a minute") }
            return change
        }
    }
}
