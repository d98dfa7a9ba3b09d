import Foundation
import GRDB

/// Room-message rows on SQLite, read by the archive (`ArchiveStore`, `ArchivePaging`, exports).
extension SQLiteChatStore {
    /// The columns `message(from:)` reads, in a SELECT list.
    static let messageColumns = "room, sequence, stanza_id, sender, nick, occupant_id, timestamp, body, subject, stanza, alert, retracted"

    /// `messageColumns` qualified by the alias `m`.
    static let qualifiedMessageColumns = messageColumns.split(separator: ",")
        .map { "m." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    static func message(from row: Row) throws -> StoredMessage {
        StoredMessage(
            room: try row.decode(String.self, forColumn: "room"),
            sequence: try row.decode(Int64.self, forColumn: "sequence"),
            stanzaID: try row.decode(String.self, forColumn: "stanza_id"),
            senderJID: try row.decode(String.self, forColumn: "sender"),
            nick: try row.decode(String.self, forColumn: "nick"),
            occupantID: try row.decode(String.self, forColumn: "occupant_id"),
            timestamp: Date(timeIntervalSince1970: Double(try row.decode(Int64.self, forColumn: "timestamp")) / 1000),
            body: try row.decode(String.self, forColumn: "body"),
            subject: try row.decode(String?.self, forColumn: "subject"),
            alert: try row.decode(Bool.self, forColumn: "alert"),
            retracted: try row.decode(Bool.self, forColumn: "retracted"),
            stanza: try row.decode(String.self, forColumn: "stanza"))
    }
}
