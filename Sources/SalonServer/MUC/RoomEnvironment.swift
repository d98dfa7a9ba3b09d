import Logging
import PersistentChat
import SalonStore
import XMPPCore

/// Everything a room uses beyond its own state, built once by `MUCService`; with its `RoomHost`
/// it is all a room reaches.
struct RoomEnvironment: Sendable {
    /// Stanzas out: to sessions, errors, answers, the fan-out.
    let output: RoomOutput
    /// Posts are committed through it, in groups with every other room's.
    let archiveWriter: any ArchiveWriter
    /// Reads and edits of archived messages (MAM, moderation, join history).
    let archive: any ArchiveStore
    /// Who has joined which room; room vCards.
    let chat: any ChatStore
    let occupantIDs: OccupantIDs
    /// How often one occupant may change its presence or nickname.
    let presenceRates: PresenceRates
    /// Rooms each user holds locked, being created by join.
    let lockedRooms: LockedRooms
    /// The largest room vCard accepted, serialised (`limits.max_vcard_bytes`, as for accounts).
    let maxVCardBytes: Int
    let logger: Logger
    /// Keeps refusals from flooding the log: one line per user and room per interval.
    let refusalLog: LogThrottle
    /// Recognises this server's uploads in posts (XEP-0363) and ties them to their message.
    let uploadLinks: UploadLinks
    /// Groupchat messages, history served and loaded.
    let metrics: ServerMetrics
    /// RoomManagementUrl, defaulting to the room pages (disco#info of the service and rooms).
    let roomManagement = RoomManagementAddress()
    /// Compliance recording (design §6): joins, parts, posts and history reads.
    let compliance: ComplianceRecorder
    /// A clustered node's room leases and occupancy records; nil when the node serves alone.
    let cluster: ClusteredRooms?
}

/// What a room asks of the service that holds it (`MUCService`).
protocol RoomHost: AnyObject, Sendable {
    /// The current directory.
    var directory: ChatDirectory { get }
    /// Changes whenever another directory is adopted: a room re-derives its view only then.
    var directoryGeneration: UInt64 { get }
    /// The current directory with its generation, read together.
    var directoryWithGeneration: (directory: ChatDirectory, generation: UInt64) { get }
    /// Changes the directory under the model's rules, saves it and brings every room in line.
    func perform<T: Sendable>(_ change: (inout ChatDirectory) throws(ChatRuleError) -> T) async throws -> T
    /// A user's first join of a room they were invited to (a bookmark may follow).
    func invitationAccepted(by user: JID, room: JID, name: String, nick: String)
    /// Lets go of an empty, idle room.
    func deactivate(_ room: MUCRoom)
}
