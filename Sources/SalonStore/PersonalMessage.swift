import Foundation
import GRDB

/// One message in an account's archive (XEP-0313 on the user's bare JID): a 1:1 message the
/// account sent or received, kept once per account whatever the number of its resources.
public struct PersonalMessage: Sendable, Hashable {
    /// The account's bare JID.
    public var owner: String
    /// The XEP-0359 stanza-id, made by the server (a version 7 UUID), unique across archives.
    public var stanzaID: String
    /// The correspondent as the message named it: the recipient (`to`) of an outgoing message,
    /// the sender (`from`) of an incoming one; full or bare.
    public var with: String
    /// Whether the account sent it.
    public var outgoing: Bool
    /// When the server archived it (UTC); stored with millisecond precision.
    public var timestamp: Date
    /// The message text (searched by full-text queries); may be empty.
    public var body: String
    /// The message as archived (serialized XML).
    public var stanza: String

    /// Creates a message for `owner`'s archive.
    public init(owner: String, stanzaID: String, with: String, outgoing: Bool, timestamp: Date, body: String, stanza: String) {
        self.owner = owner
        self.stanzaID = stanzaID
        self.with = with
        self.outgoing = outgoing
        self.timestamp = timestamp
        self.body = body
        self.stanza = stanza
    }

    /// `with` without its resource.
    public var withBare: String {
        with.firstIndex(of: "/").map { String(with[..<$0]) } ?? with
    }

    /// Throws invalidArgument unless every field is present and of bounded size.
    func validate() throws {
        try InputLimits.checkAccountJID(owner)
        try InputLimits.checkText(stanzaID, "stanza ID", maxBytes: InputLimits.maxMessageTokenBytes)
        try InputLimits.checkText(with, "correspondent", maxBytes: InputLimits.maxMessageTokenBytes * 3)
        try InputLimits.checkText(body, "body", maxBytes: InputLimits.maxMessageBytes, allowEmpty: true)
        try InputLimits.checkText(stanza, "stanza", maxBytes: InputLimits.maxMessageBytes)
        // PostgreSQL's text holds no NUL: refused on both backends alike.
        for (text, role) in [(stanzaID, "stanza ID"), (with, "correspondent"), (body, "body"), (stanza, "stanza")] {
            try PostgresText.check(text, role)
        }
    }

    /// The timestamps (milliseconds) of one message's copies, once each copy is valid: what
    /// both archive writers check before they queue a personal append.
    static func validated(_ copies: [PersonalMessage]) throws -> [Int64] {
        for copy in copies { try copy.validate() }
        return try copies.map { try InputLimits.milliseconds($0.timestamp) }
    }
}

extension PersonalMessage: ArchiveRecord {
    static var table: ArchiveTable { .accounts }
    static let columns = "owner, stanza_id, with_full, outgoing, timestamp, body, stanza"
    static var qualifiedColumns: String {
        "m.owner, m.stanza_id, m.with_full, m.outgoing, m.timestamp, m.body, m.stanza"
    }

    init(row: Row) throws {
        self.init(owner: try row.decode(String.self, forColumn: "owner"),
                  stanzaID: try row.decode(String.self, forColumn: "stanza_id"),
                  with: try row.decode(String.self, forColumn: "with_full"),
                  outgoing: try row.decode(Bool.self, forColumn: "outgoing"),
                  timestamp: Date(timeIntervalSince1970: Double(try row.decode(Int64.self, forColumn: "timestamp")) / 1000),
                  body: try row.decode(String.self, forColumn: "body"),
                  stanza: try row.decode(String.self, forColumn: "stanza"))
    }

    var pageBytes: Int { stanza.utf8.count + body.utf8.count }
}
