import Foundation
import PersistentChat

/// One archived groupchat message of a persistent room, as broadcast.
public struct StoredMessage: Sendable, Hashable {
    /// The room's JID localpart.
    public var room: String
    /// Per room 1, 2, 3 …, assigned by `ChatStore.append` (ignored on input).
    public var sequence: Int64
    /// Unique across the archive, assigned by the caller (a UUID string): the XEP-0359 stanza ID.
    public var stanzaID: String
    /// The author's bare JID.
    public var senderJID: String
    /// The author's nickname in the room.
    public var nick: String
    /// The author's XEP-0421 occupant ID.
    public var occupantID: String
    /// When the server accepted it (UTC); stored with millisecond precision.
    public var timestamp: Date
    /// The message text.
    public var body: String
    /// The story title, when present.
    public var subject: String?
    /// The groupchat stanza as broadcast (serialized XML); for a tombstone, the tombstone text.
    public var stanza: String
    /// Whether the message was posted as an alert.
    public var alert: Bool
    /// Whether the message was retracted by a moderator (XEP-0425): the row stays as a tombstone
    /// with an empty body.
    public var retracted: Bool
    /// Ids of uploaded files (XEP-0363) the message carries; tied to it when it is archived
    /// (not a column: the files table holds the reference).
    public var files: [String] = []
    /// The CHAT event recording this post when compliance is on (nil otherwise): journaled in
    /// the transaction that archives the message, so no one sees a post the journal lacks.
    public var compliance: ComplianceEvent? = nil
    /// The room's lease its clustered owner writes under (issue #21): on PostgreSQL the post is
    /// stored only while the lease still holds that epoch, and fails alone with `leaseLost`
    /// otherwise. Nil (no check) when clustering is off; SQLite, which has no cluster, ignores it.
    public var lease: RoomLease? = nil

    /// Creates a message; `sequence` is assigned when it is appended.
    public init(room: String, sequence: Int64 = 0, stanzaID: String, senderJID: String, nick: String,
                occupantID: String, timestamp: Date, body: String, subject: String? = nil, alert: Bool = false, retracted: Bool = false,
                stanza: String) {
        self.room = room
        self.sequence = sequence
        self.stanzaID = stanzaID
        self.senderJID = senderJID
        self.nick = nick
        self.occupantID = occupantID
        self.timestamp = timestamp
        self.body = body
        self.subject = subject
        self.stanza = stanza
        self.alert = alert
        self.retracted = retracted
    }

    /// Throws invalidArgument unless every field is present where required and of bounded size.
    func validate() throws {
        try InputLimits.checkRoomLocalpart(room)
        try InputLimits.checkText(stanzaID, "stanza ID", maxBytes: InputLimits.maxMessageTokenBytes)
        try InputLimits.checkBareJID(senderJID, "sender JID")
        try InputLimits.checkText(nick, "nick", maxBytes: InputLimits.maxMessageTokenBytes)
        try InputLimits.checkText(occupantID, "occupant ID", maxBytes: InputLimits.maxMessageTokenBytes,
                                  allowEmpty: true)
        try InputLimits.checkText(body, "body", maxBytes: InputLimits.maxMessageBytes, allowEmpty: true)
        if let subject {
            try InputLimits.checkText(subject, "subject", maxBytes: InputLimits.maxMessageBytes, allowEmpty: true)
        }
        try InputLimits.checkText(stanza, "stanza", maxBytes: InputLimits.maxMessageBytes)
        if let lease, lease.room != room {
            throw StoreError(.invalidArgument, "a message of room \(room) carries the lease of room \(lease.room)")
        }
        // PostgreSQL's text holds no NUL: refused on both backends alike.
        try PostgresText.check(stanzaID, "stanza ID")
        try PostgresText.check(senderJID, "sender JID")
        try PostgresText.check(nick, "nick")
        try PostgresText.check(occupantID, "occupant ID")
        try PostgresText.check(body, "body")
        if let subject { try PostgresText.check(subject, "subject") }
        try PostgresText.check(stanza, "stanza")
    }
}
