/// Which archive a filter or a page reads: the rooms' (`room_messages`) or the accounts'
/// (`account_messages`, XEP-0313 on a user's bare JID). Both have the same shape — `id` for
/// archive order, an owner column, `stanza_id`, `timestamp`, `body`, a per-owner count table and
/// an external-content FTS5 index holding the owner as one token — so one filter and one pager
/// serve both. Names here are constants, never input.
struct ArchiveTable: Sendable {
    /// The messages table (aliased `m` in queries).
    let messages: String
    /// Its FTS5 index.
    let index: String
    /// Messages per owner.
    let counts: String
    /// The column naming whose archive a row belongs to (a room localpart, an account's bare JID).
    let owner: String
    /// The index column holding the owner's token.
    let ownerKey: String
    /// The token's first character (then the owner's bytes in hex), as the schema computes it.
    let tokenPrefix: UInt8
    /// The longest owner accepted.
    let maxOwnerBytes: Int
    /// How `authors` (MAM `with`) match rows.
    let authorMatch: AuthorMatch

    enum AuthorMatch: Sendable {
        /// Rooms: the author's bare JID is the `sender` column.
        case sender
        /// Accounts: a bare JID matches the correspondent with any resource (`with_bare`), a full
        /// JID only that resource (`with_full`) — XEP-0313 §4.1.1.
        case correspondent
    }

    static let rooms = ArchiveTable(messages: "room_messages", index: "room_messages_fts", counts: "room_message_counts",
                                    owner: "room", ownerKey: "room_key", tokenPrefix: UInt8(ascii: "r"),
                                    maxOwnerBytes: InputLimits.maxChatNameBytes, authorMatch: .sender)
    static let accounts = ArchiveTable(messages: "account_messages", index: "account_messages_fts",
                                       counts: "account_message_counts", owner: "owner", ownerKey: "owner_key",
                                       tokenPrefix: UInt8(ascii: "a"), maxOwnerBytes: InputLimits.maxJIDBytes,
                                       authorMatch: .correspondent)

    /// The condition on `authors` (not empty) and its arguments.
    func authorCondition(_ authors: [String]) -> (sql: String, arguments: [String]) {
        switch authorMatch {
        case .sender:
            return (ArchiveFilter.membership("m.sender", count: authors.count), authors)
        case .correspondent:
            let tests = authors.map { $0.contains("/") ? "m.with_full = ?" : "m.with_bare = ?" }
            return ("(" + tests.joined(separator: " OR ") + ")", authors)
        }
    }

    /// The single FTS5 token standing for `owner` (as the schema's key column computes it).
    func ownerToken(_ owner: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var token = [tokenPrefix]
        for byte in owner.utf8 {
            token.append(digits[Int(byte >> 4)])
            token.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: token, as: UTF8.self)
    }
}
