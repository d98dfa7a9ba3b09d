import PersistentChat
import SalonStore

/// The live set changed: who joined, who departed (left or declared dead), and the room
/// placements before and after, from which the rooms that moved follow.
public struct ClusterChange: Sendable {
    public let joined: [ClusterNode]
    public let departed: [ClusterNode]
    public let before: RoomPlacement
    public let after: RoomPlacement

    /// The rooms among `rooms` whose owner changed.
    public func moves(among rooms: some Sequence<String>) -> [RoomMove] {
        before.moves(to: after, among: rooms)
    }
}
