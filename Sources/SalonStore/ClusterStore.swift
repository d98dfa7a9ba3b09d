import Foundation

/// The cluster's membership and room leases (issue #21), kept in PostgreSQL: the one place every
/// node of a cluster shares. SQLite has no cluster (`StoreBackend.cluster` is nil there).
///
/// Times are the database's (`now()`), so the nodes' clocks never matter: a node is live while
/// its last heartbeat is younger than `deadAfter` and it has not left.
public protocol ClusterStore: Sendable {
    /// How old a heartbeat may be before its node counts as dead.
    var deadAfter: Duration { get }
    /// Registers `node` (or registers it again after a restart) as live at `address`, and
    /// announces it. A new start forgets the sessions an earlier run recorded and releases the
    /// leases it held, so its
    /// next acquisitions carry a new epoch and fence off any older process of the same id.
    /// Returns true when a live row of that id was already there (another process with the
    /// same id, or a restart faster than `deadAfter`).
    @discardableResult
    func register(node: String, address: String) async throws -> Bool
    /// Marks `node` alive now; false when it is not registered or has left (register again).
    func heartbeat(node: String) async throws -> Bool
    /// A clean shutdown: `node` is left at once, its leases released, its sessions forgotten,
    /// and it is announced.
    func leave(node: String) async throws
    /// Every node registered and not forgotten, by id, with its state as of the database's clock.
    func nodes() async throws -> [ClusterNode]
    /// Forgets the nodes that left, or whose heartbeat stopped, longer than `age` ago: their rows,
    /// their sessions, and their hold on any lease (a lease row stays, so epochs only grow).
    /// Returns their ids.
    func forgetNodes(goneFor age: Duration) async throws -> [String]
    /// Takes the lease of `room` for `node` when it is free, already `node`'s (epoch unchanged),
    /// or held by a dead or departed node (epoch + 1); otherwise says who holds it. Throws
    /// notClusterMember when `node` itself is not live.
    func acquire(room: String, node: String) async throws -> LeaseAcquisition
    /// Gives up `node`'s lease of `room`; false when `node` did not hold it. The row stays
    /// (without holder), so the room's next epoch is still greater than every earlier one.
    @discardableResult
    func release(room: String, node: String) async throws -> Bool
    /// The leases `node` holds, by room.
    func leases(of node: String) async throws -> [RoomLease]
    /// How many leases each node holds (nodes with none are absent).
    func leaseCounts() async throws -> [String: Int]
    /// Passes each membership announcement (joins and leaves, from any node, this one's
    /// included) to `onEvent` until the task is cancelled (then returns) or the connection fails
    /// (then throws). `ready` is called once the node is listening: what is announced after it
    /// is seen. Deaths are not announced (a dead node says nothing): see `nodes()`.
    func watch(ready: @Sendable () -> Void, _ onEvent: @Sendable (ClusterEvent) async -> Void) async throws
    /// Replaces the record of who sits in `room` with `occupants`, when `lease` is still the
    /// room's (a node that lost the room cannot overwrite its new owner's record); false if not.
    @discardableResult
    func recordOccupants(_ occupants: [RecordedOccupant], lease: RoomLease) async throws -> Bool
    /// Who sits in `room`, as its owner last recorded it.
    func recordedOccupants(of room: String) async throws -> [RecordedOccupant]
    /// Records the sessions (full JIDs) bound on `node` and those that ended there, in one
    /// transaction; a session another node took since is not removed by this one's end.
    func recordSessions(node: String, bound: [String], ended: [String]) async throws
    /// Forgets every session recorded for `node` (it left, died or started again).
    func forgetSessions(of node: String) async throws
    /// How many sessions each node has recorded (nodes with none are absent).
    func sessionCounts() async throws -> [String: Int]
}

/// One session in a room, as the room's owner recorded it: its nick, and the node it is on.
public struct RecordedOccupant: Sendable, Hashable {
    public let nick: String
    /// The session's full JID.
    public let session: String
    public let node: String
    /// Its XEP-0045 affiliation, as the room announced it.
    public let affiliation: String

    public init(nick: String, session: String, node: String, affiliation: String) {
        self.nick = nick
        self.session = session
        self.node = node
        self.affiliation = affiliation
    }
}

/// One node of the cluster as the database sees it.
public struct ClusterNode: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Heartbeating and not left.
        case live
        /// Its heartbeat is older than `deadAfter`: it stopped without leaving.
        case dead
        /// It shut down cleanly.
        case left
    }

    public let id: String
    /// Where other nodes reach it (`host:port`).
    public let address: String
    public let startedAt: Date
    /// Seconds since its last heartbeat, by the database's clock.
    public let heartbeatAge: Double
    public let leftAt: Date?
    public let state: State

    public init(id: String, address: String, startedAt: Date, heartbeatAge: Double, leftAt: Date?, state: State) {
        self.id = id
        self.address = address
        self.startedAt = startedAt
        self.heartbeatAge = heartbeatAge
        self.leftAt = leftAt
        self.state = state
    }
}

/// A room's lease: the node that may serve it, and its fencing token.
public struct RoomLease: Sendable, Hashable {
    public let room: String
    public let node: String
    /// Grows by one each time the room changes hands: a write carrying an older epoch is refused.
    public let epoch: Int64

    public init(room: String, node: String, epoch: Int64) {
        self.room = room
        self.node = node
        self.epoch = epoch
    }
}

/// What `ClusterStore.acquire` got.
public enum LeaseAcquisition: Sendable, Equatable {
    /// The lease is the caller's, with this epoch (a new one unless it already held it).
    case granted(RoomLease)
    /// Another live node holds it.
    case heldElsewhere(RoomLease)
}

/// A membership announcement on the `salon_cluster` channel: control only, never stanzas.
public enum ClusterEvent: Sendable, Equatable {
    case joined(node: String)
    case left(node: String)

    /// The announcement: "joined <id>" or "left <id>" (ids hold no spaces); PostgreSQL's NOTIFY
    /// payload adds the schema after it.
    public var payload: String {
        switch self {
        case .joined(let node): "joined \(node)"
        case .left(let node): "left \(node)"
        }
    }

    /// The event `payload` carries; nil for anything else (a payload from a newer Salon).
    public init?(payload: String) {
        let parts = payload.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, ClusterNames.isNodeID(parts[1]) else { return nil }
        switch parts[0] {
        case "joined": self = .joined(node: parts[1])
        case "left": self = .left(node: parts[1])
        default: return nil
        }
    }
}

/// What the cluster store accepts as node ids, addresses and room names, checked before any
/// SQL runs.
public enum ClusterNames {
    public static let maxNodeIDBytes = 128
    public static let maxAddressBytes = 300
    /// A room is a localpart (RFC 7622 bounds it at 1023 bytes).
    public static let maxRoomBytes = 1023

    /// Letters, digits, '.', '_', '-' and ':', at most `maxNodeIDBytes`: an id appears in log
    /// lines, NOTIFY payloads and the status table as it is.
    public static func isNodeID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maxNodeIDBytes
            && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-:".unicodeScalars.contains($0) }
    }

    static func checkNodeID(_ id: String) throws {
        guard isNodeID(id) else {
            throw StoreError(.invalidArgument,
                             "a cluster node id is 1…\(maxNodeIDBytes) ASCII letters, digits, '.', '_', '-' or ':'")
        }
    }

    /// 1…`maxAddressBytes` printable ASCII characters without spaces.
    public static func isAddress(_ address: String) -> Bool {
        !address.isEmpty && address.utf8.count <= maxAddressBytes
            && address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
    }

    static func checkAddress(_ address: String) throws {
        guard isAddress(address) else {
            throw StoreError(.invalidArgument, "a cluster node address is 1…\(maxAddressBytes) printable ASCII characters (host:port)")
        }
    }

    static func checkRoom(_ room: String) throws {
        guard !room.isEmpty, room.utf8.count <= maxRoomBytes else {
            throw StoreError(.invalidArgument, "a room name is 1…\(maxRoomBytes) bytes")
        }
        try PostgresText.check(room, "room name")
    }
}
