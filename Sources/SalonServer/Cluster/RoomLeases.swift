import SalonStore

/// The leases of the rooms this node serves (issue #21): a room takes its lease before it
/// serves, and each post it archives carries it, so a node that lost a room can no longer
/// write to it (PostgreSQL refuses an older epoch).
struct RoomLeases: Sendable {
    let store: any ClusterStore
    let node: String
    /// How long a room waits for its previous owner to let go: long enough for a dead owner
    /// to be declared dead, or a live one to hear of the change and release.
    let patience: Duration

    /// The room's lease for this node, waiting out a previous holder up to `patience`.
    func acquire(room: String) async throws -> RoomLease {
        let deadline = ContinuousClock.now + patience
        var pause = Duration.milliseconds(50)
        while true {
            switch try await store.acquire(room: room, node: node) {
            case .granted(let lease):
                return lease
            case .heldElsewhere(let lease):
                guard ContinuousClock.now + pause < deadline else { throw LeaseHeldElsewhere(lease: lease) }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
            }
        }
    }

    /// Gives up the lease of a room this node no longer owns, so its new owner need not wait.
    func release(room: String) async throws {
        try await store.release(room: room, node: node)
    }
}

/// Another live node kept a room's lease for longer than a room waits.
struct LeaseHeldElsewhere: Error, CustomStringConvertible {
    let lease: RoomLease

    var description: String { "the room's lease is held by cluster node \(lease.node) (epoch \(lease.epoch))" }
}
