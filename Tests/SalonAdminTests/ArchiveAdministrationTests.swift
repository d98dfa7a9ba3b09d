import Foundation
import PersistentChat
@testable import SalonAdmin
import SalonStore
import Testing

@Suite("Administrators' operations on room content")
struct ArchiveAdministrationTests {
    /// A database with room "Lobby" (address lobby) holding `bodies`, in order.
    private func lobby(_ bodies: [String]) async throws -> SalonDatabase {
        let database = try SalonDatabase.inMemory()
        _ = try await ChatAdministration(database: database).perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
            try directory.createCategory(Category(name: "General"), by: .system)
            _ = try directory.createRoom(Room(localpart: "lobby", name: "Lobby", category: "General"), by: .system)
        }
        let writer = SQLiteArchiveWriter(database: database)
        for (index, body) in bodies.enumerated() {
            let stanza = "<message type='groupchat'><body>\(body)</body></message>"
            _ = try await writer.append(StoredMessage(room: "lobby", stanzaID: "lobby-\(index)", senderJID: "alice@example.com",
                                                      nick: "Alice", occupantID: "occ", timestamp: Date(), body: body, stanza: stanza))
        }
        await writer.close()
        return database
    }

    @Test("Replacing rewrites the stored stanza's body, escaped, and keeps the rest")
    func replaceRewritesTheStanza() async throws {
        let database = try await lobby(["secret plans", "public news"])
        let administration = ArchiveAdministration(database: database)
        #expect(try await administration.remove(room: "Lobby", authors: [], from: nil, to: nil, text: TextFilter("secret"),
                                                replacement: ArchiveAdministration.defaultReplacement) == 1)
        let replaced = try #require(try await database.archive.message(room: "lobby", stanzaID: "lobby-0"))
        #expect(replaced.body == ArchiveAdministration.defaultReplacement)
        #expect(replaced.stanza == "<message type='groupchat'><body>\(ArchiveAdministration.defaultReplacement)</body></message>")

        #expect(try await administration.remove(room: "lobby", authors: [], from: nil, to: nil, text: TextFilter("news"),
                                                replacement: "<gone> & done") == 1)
        let escaped = try #require(try await database.archive.message(room: "lobby", stanzaID: "lobby-1"))
        #expect(escaped.body == "<gone> & done")
        #expect(escaped.stanza == "<message type='groupchat'><body>&lt;gone&gt; &amp; done</body></message>")
    }
}
