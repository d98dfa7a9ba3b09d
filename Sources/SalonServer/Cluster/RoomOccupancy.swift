import SalonStore

/// Who sits in each room a node owns, by session and node, kept in PostgreSQL (issue #21). The
/// owner is the only node that knows a room's occupants; when it dies, the room's next owner
/// reads this to tell the occupants who rejoin it that those who were on a dead node are gone.
struct RoomOccupancy: Sendable {
    let store: any ClusterStore
    /// Whether a node is live, as this node's membership sees it now.
    let isLive: @Sendable (String) -> Bool

    /// Replaces the room's record; nothing is written once `lease` is no longer the room's.
    func record(_ occupants: [RecordedOccupant], lease: RoomLease) async throws {
        try await store.recordOccupants(occupants, lease: lease)
    }

    /// The room's recorded occupants none of whose sessions is on a live node, one session each.
    func departed(from room: String) async throws -> [RecordedOccupant] {
        let recorded = try await store.recordedOccupants(of: room)
        let stayed = Set(recorded.filter { isLive($0.node) }.map(\.nick))
        var seen = Set<String>()
        return recorded.filter { !stayed.contains($0.nick) && seen.insert($0.nick).inserted }
    }
}

/// What the rooms of a clustered node keep in the shared database: their leases, and who sits in them.
struct ClusteredRooms: Sendable {
    let leases: RoomLeases
    let occupancy: RoomOccupancy

    var node: String { leases.node }
}
