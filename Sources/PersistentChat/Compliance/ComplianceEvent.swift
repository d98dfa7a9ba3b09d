/// What the compliance journal records (design §6): who did what, in which room, when. The
/// server fills one in for each recorded action; the store chains and keeps it; the exporter
/// writes it out. The payload is the full stanza as broadcast for CHAT, a JSON object otherwise.
public struct ComplianceEvent: Sendable, Hashable {
    public var type: ComplianceEventType
    /// When it happened: milliseconds since 1970, UTC.
    public var time: Int64
    /// Who did it: a bare JID, or "system" for the command line and the server itself.
    public var actorBare: String
    /// The session that did it (full JID), or "" where there is none (the command line, HTTP).
    public var actorFull: String
    /// The room's localpart, or "" for an event of no one room (a search, a setting).
    public var room: String
    /// The stanza for CHAT; a JSON object for every other type.
    public var payload: String

    public init(_ type: ComplianceEventType, time: Int64, actorBare: String, actorFull: String = "", room: String = "", payload: String = "{}") {
        self.type = type
        self.time = time
        self.actorBare = actorBare
        self.actorFull = actorFull
        self.room = room
        self.payload = payload
    }

    /// The actor of events made by the command line or the server itself.
    public static let systemActor = "system"
}

/// The kinds of event (design §6). The first six are persistent chat's own; the others are the
/// administrative events its compliance service recorded as chat deletion and purging, named
/// here by what happened.
public enum ComplianceEventType: String, Sendable, CaseIterable, Hashable {
    case join = "JOIN"
    case part = "PART"
    case chat = "CHAT"
    case backchat = "BACKCHAT"
    case fileUpload = "FILEUPLOAD"
    case fileDownload = "FILEDOWNLOAD"
    /// A message removed (or replaced) by an administrator, with its old text.
    case messageRemoved = "MESSAGE_REMOVED"
    case messageReplaced = "MESSAGE_REPLACED"
    /// A room's messages cleared.
    case roomCleared = "ROOM_CLEARED"
    /// A message retracted by a moderator (XEP-0425).
    case moderation = "MODERATION"
    /// A room created, changed, moved or removed: who, what, before and after.
    case roomChanged = "ROOM_CHANGED"
    /// A category created, changed or removed.
    case categoryChanged = "CATEGORY_CHANGED"
    /// An occupant's role or a principal's affiliation changed.
    case roleChanged = "ROLE_CHANGED"
    /// Compliance itself switched on or off, or one of its settings changed.
    case complianceChanged = "COMPLIANCE_CHANGED"

    /// Whether the event type is one of persistent chat's six (the others are Salon's additions).
    public var isPersistentChatType: Bool {
        switch self {
        case .join, .part, .chat, .backchat, .fileUpload, .fileDownload: true
        default: false
        }
    }
}
