import SalonStore

/// Who sits in each room a node owns, by session and node, kept in PostgreSQL (issue #21). The
/// owner is the only node that knows a room's occupants; when it dies, the room's next owner
/// reads this to tell the occupants who rejoin it that those who were on a dead node are gone.
struct RoomOccupancy: Sendable {
    let store: any ClusterStore
    /// Whether a node is live, as this node's membership sees it now.
    let isLive: @Sendable (String) -> Bool
    /// How long a new owner holds posts for the occupants of live nodes to join it again: every
    /// node sends them once it sees the change, and a death is seen up to a look apart.
    let rejoinPatience: Duration

    /// Replaces the room's record; nothing is written once `lease` is no longer the room's.
    func record(_ occupants: [RecordedOccupant], lease: RoomLease) async throws {
        try await store.recordOccupants(occupants, lease: lease)
    }

    /// What the room's last owner recorded, as the node taking the room over reads it.
    func takeover(of room: String) async throws -> RoomTakeover {
        let recorded = try await store.recordedOccupants(of: room)
        let staying = recorded.filter { isLive($0.node) }
        let stayed = Set(staying.map(\.nick))
        var seen = Set<String>()
        return RoomTakeover(departed: recorded.filter { !stayed.contains($0.nick) && seen.insert($0.nick).inserted },
                            staying: staying)
    }
}

/// A room's recorded occupants split by their nodes' fate.
struct RoomTakeover: Sendable {
    /// Those none of whose sessions is on a live node, one session each: they are gone.
    let departed: [RecordedOccupant]
    /// The sessions on live nodes: their nodes will send them to the new owner.
    let staying: [RecordedOccupant]
}

/// What the rooms of a clustered node keep in the shared database: their leases, and who sits in them.
struct ClusteredRooms: Sendable {
    let leases: RoomLeases
    let occupancy: RoomOccupancy

    var node: String { leases.node }
}
