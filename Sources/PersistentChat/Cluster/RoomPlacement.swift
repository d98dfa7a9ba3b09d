/// Which live node owns each room, by rendezvous (highest-random-weight) hashing: every node
/// scores every room and the highest score wins. A node joining takes only the rooms it now
/// scores highest on, and a node leaving gives up only its own, so about 1/N of the rooms move
/// per change instead of most of them (issue #21).
///
/// The score is FNV-1a 64 over the UTF-8 bytes of the node id, a NUL separator and the room,
/// then a 64-bit finaliser: the same on every process and machine, unlike Swift's `Hasher`,
/// which is seeded per process. The finaliser spreads FNV's weak low bits, which otherwise
/// favour some nodes over others for rooms whose names differ only at the end.
public struct RoomPlacement: Sendable, Equatable {
    /// The live nodes' ids, sorted and without repeats.
    public let nodes: [String]

    public init(nodes: some Sequence<String>) {
        self.nodes = Array(Set(nodes)).sorted()
    }

    /// The node that owns `room` (a room's localpart as the directory keeps it); nil when no
    /// node is live. A tie of scores goes to the greater node id, so every node agrees.
    public func owner(of room: String) -> String? {
        var best: (node: String, weight: UInt64)?
        for node in nodes {
            let weight = Self.weight(node: node, room: room)
            if let current = best, current.weight > weight || (current.weight == weight && current.node > node) { continue }
            best = (node, weight)
        }
        return best?.node
    }

    /// The rooms among `rooms` whose owner differs between this placement and `next`.
    public func moves(to next: RoomPlacement, among rooms: some Sequence<String>) -> [RoomMove] {
        rooms.compactMap { room in
            let (from, to) = (owner(of: room), next.owner(of: room))
            return from == to ? nil : RoomMove(room: room, from: from, to: to)
        }
    }

    /// The score of `node` for `room`: stable across processes and machines.
    public static func weight(node: String, room: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        node.utf8.forEach(mix)
        mix(0)
        room.utf8.forEach(mix)
        return finalised(hash)
    }

    /// MurmurHash3's 64-bit finaliser: every input bit reaches every output bit.
    private static func finalised(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}

/// A room whose owner changes between two placements; nil: no live node.
public struct RoomMove: Sendable, Equatable, CustomStringConvertible {
    public let room: String
    public let from: String?
    public let to: String?

    public init(room: String, from: String?, to: String?) {
        self.room = room
        self.from = from
        self.to = to
    }

    public var description: String { "\(room): \(from ?? "none") → \(to ?? "none")" }
}
