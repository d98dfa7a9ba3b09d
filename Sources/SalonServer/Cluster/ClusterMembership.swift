import Logging
import PersistentChat
import SalonAdmin
import SalonStore
import Synchronization

/// This node's membership of the cluster (issue #21): registered at start, a heartbeat every
/// `heartbeatInterval`, the live set kept from the database and each room's owner computed by
/// rendezvous hashing over it (`RoomPlacement`). Joins and leaves are heard at once through
/// the store's announcements; deaths by reading the membership every `lookInterval`, since a
/// dead node announces nothing. Every read of the membership goes through one loop, so an
/// older answer never overwrites a newer one. All of it runs in tasks, off the event loops.
///
public final class ClusterMembership: Sendable {
    /// This node's id and the address other nodes reach it on.
    public let node: String
    public let address: String
    private let store: any ClusterStore
    private let configuration: ClusterConfiguration
    private let logger: Logger
    private let state = Mutex(State())
    /// Asks the membership loop for a read; a burst of asks makes one read.
    private let looks: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)

    private struct State {
        var live: [String: ClusterNode] = [:]
        var placement = RoomPlacement(nodes: [])
        var observers: [@Sendable (ClusterChange) -> Void] = []
        var tasks: [Task<Void, Never>] = []
        /// Whether the last heartbeat, read or announcement connection failed: logged once
        /// when it starts failing and once when it works again.
        var failing: Set<String> = []
        /// Whether LISTEN was answered once: `start` waits for that first answer only.
        var listened = false
    }

    init(store: any ClusterStore, configuration: ClusterConfiguration, node: String, logger: Logger) {
        self.node = node
        self.address = configuration.address ?? ""
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.looks = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Listens for announcements, registers, reads the membership, then keeps it current.
    /// Throws (having started nothing) when the database refuses or is away.
    func start() async throws {
        // Listening first: a node that joins after this is heard, one that joined before is read.
        let (readiness, ready) = AsyncThrowingStream.makeStream(of: Void.self)
        let listening = Task { await self.listen(ready: ready) }
        do {
            var iterator = readiness.makeAsyncIterator()
            guard try await iterator.next() != nil else { throw CancellationError() }
            if try await store.register(node: node, address: address) {
                logger.warning("cluster node id already live: another process with this cluster.node_id, or a restart faster than cluster.dead_after",
                               metadata: ["node": "\(node)"])
            }
            apply(try await store.nodes())
        } catch {
            listening.cancel()
            await listening.value
            throw error
        }
        let heartbeat = Task { await self.beat() }
        let reader = Task { await self.read() }
        let timer = Task { await self.tick() }
        let forgetting = Task { await self.forgetGoneNodes() }
        state.withLock { $0.tasks = [listening, heartbeat, reader, timer, forgetting] }
        logger.notice("cluster membership started", metadata: [
            "node": "\(node)", "address": "\(address)", "live": "\(liveNodes.map(\.id).joined(separator: ","))",
        ])
    }

    /// Stops heartbeating and listening, then leaves: the others re-place this node's rooms
    /// at once instead of waiting for its heartbeat to age.
    func stop() async {
        let tasks = state.withLock { state in defer { state.tasks = [] }; return state.tasks }
        looks.continuation.finish()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        do {
            try await store.leave(node: node)
            logger.notice("left the cluster", metadata: ["node": "\(node)"])
        } catch {
            logger.warning("could not leave the cluster: the others will declare this node dead after cluster.dead_after",
                           metadata: ["node": "\(node)", "error": "\(error)"])
        }
    }

    /// The record of this node's sessions in the database.
    func sessionRecord(logger: Logger) -> SessionRecord {
        SessionRecord(store: store, node: node, logger: logger)
    }

    /// What the rooms this node serves keep in the database: their leases and occupants.
    var rooms: ClusteredRooms {
        ClusteredRooms(leases: RoomLeases(store: store, node: node,
                                          patience: configuration.deadAfter + configuration.lookInterval + configuration.heartbeatInterval),
                       occupancy: RoomOccupancy(store: store, isLive: { [self] node in isLive(node) },
                                                rejoinPatience: configuration.lookInterval + configuration.heartbeatInterval))
    }

    /// The live nodes, by id.
    public var liveNodes: [ClusterNode] {
        state.withLock { $0.live.values.sorted { $0.id < $1.id } }
    }

    /// Whether `node` is live as this node last saw the membership.
    public func isLive(_ node: String) -> Bool {
        state.withLock { $0.live[node] != nil }
    }

    /// Which live node owns each room.
    public var placement: RoomPlacement {
        state.withLock { $0.placement }
    }

    /// The live node that owns `room` (a room's localpart); nil when none is live.
    public func owner(ofRoom room: String) -> String? {
        placement.owner(of: room)
    }

    /// Whether this node owns `room`.
    public func isLocal(room: String) -> Bool {
        owner(ofRoom: room) == node
    }

    /// Calls `observer` after each change of the live set, off the event loops.
    public func observe(_ observer: @escaping @Sendable (ClusterChange) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    /// Heartbeats until cancelled. A node whose row left (an operator, or another process with
    /// its id leaving) registers again rather than serving unseen.
    private func beat() async {
        while await pause(configuration.heartbeatInterval) {
            do {
                if try await !store.heartbeat(node: node) {
                    logger.warning("cluster node registered again: its row had left", metadata: ["node": "\(node)", "address": "\(address)"])
                    try await store.register(node: node, address: address)
                }
                recovered("heartbeat")
            } catch {
                failed("heartbeat", error)
            }
        }
    }

    /// Forgets nodes gone longer than `forgetAfter`, at start and every `forgetInterval`, until
    /// cancelled. Every node does it; whichever comes first forgets, the others find nothing.
    private func forgetGoneNodes() async {
        repeat {
            do {
                for gone in try await store.forgetNodes(goneFor: configuration.forgetAfter) {
                    logger.notice("cluster node forgotten: gone longer than cluster.forget_after",
                                  metadata: ["node": "\(gone)", "forget_after": "\(configuration.forgetAfter)"])
                }
            } catch {
                logger.warning("cluster nodes gone long ago not forgotten: will try again", metadata: ["error": "\(error)"])
            }
        } while await pause(configuration.forgetInterval)
    }

    /// Asks for a read every `lookInterval`, until cancelled.
    private func tick() async {
        while await pause(configuration.lookInterval) {
            looks.continuation.yield()
        }
    }

    /// Reads the membership each time one is asked for, one read at a time. The first read after
    /// the database was away declares no deaths: every node's heartbeat aged meanwhile, and the
    /// live ones beat again within a heartbeat.
    private func read() async {
        for await _ in looks.stream {
            do {
                let nodes = try await store.nodes()
                let wasAway = state.withLock { $0.failing.contains("membership read") || $0.failing.contains("heartbeat") }
                apply(nodes, declaringDeaths: !wasAway)
                recovered("membership read")
            } catch {
                failed("membership read", error)
            }
        }
    }

    /// Hears announcements until cancelled; each asks for a read. A lost connection is made
    /// again after a heartbeat's pause, then the membership read, since announcements may have
    /// been missed meanwhile. The first readiness (or failure) goes to `start`.
    private func listen(ready: AsyncThrowingStream<Void, any Error>.Continuation) async {
        while !Task.isCancelled {
            do {
                try await store.watch(ready: {
                    let first = state.withLock { state in defer { state.listened = true }; return !state.listened }
                    if first {
                        ready.yield()
                        ready.finish()
                    } else {
                        recovered("announcements")
                        looks.continuation.yield()
                    }
                }) { [looks] _ in
                    looks.continuation.yield()
                }
            } catch {
                guard state.withLock({ $0.listened }) else {
                    ready.finish(throwing: error)
                    return
                }
                failed("announcements", error)
            }
            guard await pause(configuration.heartbeatInterval) else { break }
        }
        ready.finish()
    }

    /// Replaces the live set with what the database says, logs each change and tells the observers.
    /// This node counts as live whatever its row says while it runs (a node the others took for
    /// dead is fenced off by its leases, not by leaving its own rooms); `declaringDeaths` false
    /// keeps nodes that only aged (not those that left).
    private func apply(_ nodes: [ClusterNode], declaringDeaths: Bool = true) {
        let now = state.withLock { state in
            Dictionary(uniqueKeysWithValues: nodes.filter { node in
                node.state == .live || (node.id == self.node && node.state == .dead)
                    || (!declaringDeaths && node.state == .dead && state.live[node.id] != nil)
            }.map { ($0.id, $0) })
        }
        let (change, observers) = state.withLock { state -> (ClusterChange?, [@Sendable (ClusterChange) -> Void]) in
            let joined = now.values.filter { state.live[$0.id] == nil }.sorted { $0.id < $1.id }
            let departed = state.live.keys.filter { now[$0] == nil }.sorted()
                .map { id in nodes.first { $0.id == id } ?? state.live[id]! }
            state.live = now
            guard !joined.isEmpty || !departed.isEmpty else { return (nil, []) }
            let before = state.placement
            state.placement = RoomPlacement(nodes: now.keys)
            return (ClusterChange(joined: joined, departed: departed, before: before, after: state.placement), state.observers)
        }
        guard let change else { return }
        // This node's own arrival is the "cluster membership started" line.
        for node in change.joined where node.id != self.node {
            logger.notice("cluster node joined", metadata: ["node": "\(node.id)", "address": "\(node.address)"])
        }
        for node in change.departed {
            if node.state == .left {
                logger.notice("cluster node left", metadata: ["node": "\(node.id)", "address": "\(node.address)"])
            } else {
                logger.warning("cluster node declared dead", metadata: [
                    "node": "\(node.id)", "address": "\(node.address)", "heartbeat_age": "\(Int(node.heartbeatAge))s",
                ])
            }
        }
        for observer in observers { observer(change) }
    }

    /// Sleeps `duration`; false once the task is cancelled.
    private func pause(_ duration: Duration) async -> Bool {
        (try? await Task.sleep(for: duration)) != nil
    }

    private func failed(_ what: String, _ error: any Error) {
        guard state.withLock({ $0.failing.insert(what).inserted }) else { return }
        logger.warning("cluster \(what) failing", metadata: ["node": "\(node)", "error": "\(error)"])
    }

    private func recovered(_ what: String) {
        guard state.withLock({ $0.failing.remove(what) != nil }) else { return }
        logger.notice("cluster \(what) working again", metadata: ["node": "\(node)"])
    }
}
