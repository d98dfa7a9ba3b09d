import Foundation
import SalonStore

/// Deterministic, realistic message text: bodies of common words, now and then a rare one.
struct BenchText {
    static let commonWords = ["meeting", "report", "today", "client", "deal", "team", "update", "price"]
    static let rareWords = ["zanzibar", "quixotic", "marmalade", "obsidian"]
    static let vocabulary = commonWords + """
        the a to and of in is it for on that this with we you be at are have can will please thanks
        hello morning afternoon call send check review numbers market order trade bond rate desk risk
        limit position book close open week monday friday lunch later soon yes no ok sure maybe need
        quick question about latest version draft final sign approve budget forecast quarter revenue
        margin cost plan project launch issue fix ticket server down back up green red yellow blue
        """.split(whereSeparator: \.isWhitespace).map(String.init)
    static let authors = (0..<20).map { "trader\($0)@example.com" }

    private var state: UInt64
    /// Random (version 4) stanza-ids instead of time-ordered ones.
    private let randomIDs: Bool

    init(seed: UInt64, randomIDs: Bool) {
        state = seed &* 0x9E37_79B9_7F4A_7C15
        self.randomIDs = randomIDs
    }

    /// A pseudo-random number (xorshift).
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    /// The `index`-th message of `room`: 6…20 words, a rare word in about one message in 20,000.
    mutating func message(room: String, index: Int) -> StoredMessage {
        let wordCount = 6 + Int(next() % 15)
        var words: [String] = []
        for _ in 0..<wordCount {
            words.append(Self.vocabulary[Int(next() % UInt64(Self.vocabulary.count))])
        }
        if next() % 20_000 == 0 {
            words[Int(next() % UInt64(words.count))] = Self.rareWords[Int(next() % UInt64(Self.rareWords.count))]
        }
        let body = words.joined(separator: " ")
        let author = Self.authors[Int(next() % UInt64(Self.authors.count))]
        let nick = String(author.prefix { $0 != "@" })
        let stanzaID = randomIDs ? UUID().uuidString : StoredMessage.newStanzaID()
        let stanza = "<message from='\(room)@chat.example.com/\(nick)' type='groupchat' id='m\(index)'><body>\(body)</body>"
            + "<stanza-id xmlns='urn:xmpp:sid:0' id='\(stanzaID)' by='\(room)@chat.example.com'/>"
            + "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='\(nick)-occ'/></message>"
        return StoredMessage(room: room, stanzaID: stanzaID, senderJID: author, nick: nick, occupantID: "\(nick)-occ",
                             timestamp: Date(), body: body, stanza: stanza)
    }
}
