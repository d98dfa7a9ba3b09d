import Foundation
import PersistentChat
@testable import SalonStore
import SalonTestSupport

/// Parses principals written as in the CLI (the test data is known to be valid).
func principals(_ texts: String...) throws -> [Principal] {
    try texts.map { try Principal($0) }
}

/// A directory using every feature of the model: several categories (one with a non-ASCII
/// name, referenced in another case), every room kind, add-ins, groups, policy and settings.
func richDirectory() throws -> ChatDirectory {
    let sales = Category(name: "Sales", description: "Deals and leads",
                         allowed: try principals("example.com", "group:partners", "zoe@partner.org"),
                         denied: try principals("mallory@example.com"),
                         creators: try principals("group:managers", "alice@example.com"),
                         invitations: true, fileUpload: true, chatHistory: true)
    let apples = Category(name: "Äpfel", allowed: try principals("example.com"), chatHistory: false)
    let empty = Category(name: "Empty")
    let lobby = Room(localpart: "lobby", name: "Lobby", description: "Say hello", category: "Sales",
                     privacy: .open, addIn: "Wiki", managers: try principals("alice@example.com"),
                     subject: "Welcome!", createdBy: "alice@example.com")
    let deals = Room(localpart: "deals", name: "Deals", category: "sales", type: .auditorium, privacy: .secret,
                     invitations: .off,
                     members: try principals("bob@example.com", "group:partners", "alice@example.com"),
                     managers: try principals("alice@example.com", "carol@example.com"),
                     presenters: try principals("bob@example.com"))
    let orchard = Room(localpart: "orchard", name: "Obstgarten", category: "äpfel", disabled: true,
                       members: try principals("example.com"))
    return ChatDirectory(
        categories: ["sales": sales, "äpfel": apples, "empty": empty],
        rooms: ["lobby": lobby, "deals": deals, "orchard": orchard],
        addIns: ["wiki": AddIn(name: "Wiki", url: "https://wiki.example.com/room"),
                 "crm": AddIn(name: "CRM", url: "http://crm.example.com")],
        groups: ["partners": ["zoe@partner.org", "yann@partner.org"], "managers": ["alice@example.com"],
                 "nobody": []],
        administrators: ["admin@example.com", "root@example.com"],
        policy: ChatPolicy(globalEnabled: false, overrides: ["alice@example.com": true, "bob@example.com": false]),
        settings: ServiceSettings(defaultChatHistory: 50, maxFileSizeKB: 1024, participantUpdateLimit: 20,
                                  roomManagementURL: "https://rooms.example.com", maxRoomsPerCreator: 7))
}

/// `body` with a fresh backend of `kind` holding the saved `richDirectory()`, and that value.
func withRichDirectory(_ kind: TestBackend, _ body: (any StoreBackend, ChatDirectory) async throws -> Void) async throws {
    try await withBackend(kind) { backend async throws in
        let directory = try richDirectory()
        try await backend.chat.save(directory, previous: ChatDirectory())
        try await body(backend, directory)
    }
}

/// A saved directory in a fresh in-memory database, with the value it was saved as.
func databaseWithRichDirectory() async throws -> (SalonDatabase, ChatDirectory) {
    let database = try SalonDatabase.inMemory()
    let directory = try richDirectory()
    try await database.chat.save(directory, previous: ChatDirectory())
    return (database, directory)
}

/// A message of `room` with recognisable fields; timestamps are whole milliseconds, as stored.
func sampleMessage(room: String, _ index: Int, subject: String? = nil) -> StoredMessage {
    StoredMessage(room: room, stanzaID: UUID().uuidString, senderJID: "alice@example.com", nick: "Alice \(index)",
                  occupantID: "occ-\(index)", timestamp: Date(timeIntervalSince1970: Double(1_700_000_000_123 + Int64(index) * 1000) / 1000),
                  body: "message \(index) é <&>", subject: subject,
                  stanza: "<message type='groupchat'><body>message \(index)</body></message>")
}
