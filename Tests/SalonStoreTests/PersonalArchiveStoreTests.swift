import Foundation
import GRDB
import Testing
@testable import SalonStore

@Suite struct PersonalArchiveStoreTests {
    let alice = "alice@example.com"
    let bob = "bob@example.com"

    private func database() async throws -> SalonDatabase {
        let database = try SalonDatabase.inMemory()
        try await database.accounts.create(jid: alice, credentials: [])
        try await database.accounts.create(jid: bob, credentials: [])
        return database
    }

    /// Alice's and Bob's copies of one message from alice/desk to bob (or to `to`).
    private func copies(_ body: String, from: String = "alice@example.com/desk", to: String = "bob@example.com",
                        at seconds: TimeInterval = 1_000) -> [PersonalMessage] {
        let stanza = "<message from='\(from)' to='\(to)' type='chat'><body>\(body)</body></message>"
        let date = Date(timeIntervalSince1970: seconds)
        let sender = String(from.prefix { $0 != "/" })
        let recipient = String(to.prefix { $0 != "/" })
        return [
            PersonalMessage(owner: sender, stanzaID: StoredMessage.newStanzaID(), with: to, outgoing: true, timestamp: date, body: body, stanza: stanza),
            PersonalMessage(owner: recipient, stanzaID: StoredMessage.newStanzaID(), with: from, outgoing: false, timestamp: date, body: body, stanza: stanza),
        ]
    }

    private func query(_ owner: String, _ change: (inout ArchiveQuery) -> Void = { _ in }) -> ArchiveQuery {
        var query = ArchiveQuery(rooms: [owner])
        change(&query)
        return query
    }

    @Test func bothCopiesAreArchivedAndQueriedByWithTimeIDsAndText() async throws {
        let database = try await database()
        let writer = SQLiteArchiveWriter(database: database)
        let first = copies("hello bob", at: 1_000)
        #expect(try await writer.append(personal: first) == [true, true])
        #expect(try await writer.append(personal: copies("from the phone", from: "alice@example.com/phone", at: 2_000)) == [true, true])
        #expect(try await writer.append(personal: copies("to the desk", from: "bob@example.com/pc", to: "alice@example.com/desk", at: 3_000)) == [true, true])
        let archive = database.personalArchive

        let all = try await archive.query(query(bob))
        #expect(all.messages.map(\.body) == ["hello bob", "from the phone", "to the desk"])
        #expect(all.messages.map(\.outgoing) == [false, false, true])
        #expect(all.count == 3 && all.complete)
        #expect(all.messages[0].stanzaID == first[1].stanzaID)

        // A bare `with` matches every resource, a full one only itself.
        #expect(try await archive.query(query(bob) { $0.authors = ["alice@example.com"] }).count == 3)
        #expect(try await archive.query(query(bob) { $0.authors = ["alice@example.com/phone"] }).messages.map(\.body) == ["from the phone"])
        #expect(try await archive.query(query(alice) { $0.authors = ["bob@example.com"] }).count == 3)
        #expect(try await archive.query(query(alice) { $0.authors = ["carol@example.com"] }).count == 0)

        #expect(try await archive.query(query(alice) {
            $0.start = Date(timeIntervalSince1970: 1_500)
            $0.end = Date(timeIntervalSince1970: 2_500)
        }).messages.map(\.body) == ["from the phone"])
        #expect(try await archive.query(query(bob) { $0.ids = [first[1].stanzaID] }).messages.map(\.body) == ["hello bob"])
        // Alice's id is not in Bob's archive.
        #expect(try await archive.query(query(bob) { $0.ids = [first[0].stanzaID] }).count == 0)
        await #expect(throws: ArchiveError.self) { try await archive.query(query(bob) { $0.afterID = first[0].stanzaID }) }
        #expect(try await archive.query(query(bob) { $0.afterID = first[1].stanzaID }).count == 2)

        #expect(try await archive.query(query(alice) { $0.text = TextFilter("PHONE") }).messages.map(\.body) == ["from the phone"])
        #expect(try await archive.query(query(alice) { $0.text = TextFilter("desk") }).messages.map(\.body) == ["to the desk"])
        // Another account's words are not found in this archive.
        try await database.accounts.create(jid: "carol@example.com", credentials: [])
        #expect(try await archive.query(query("carol@example.com") { $0.text = TextFilter("hello") }).count == 0)

        let paged = try await archive.query(query(alice) { $0.max = 2 })
        #expect(paged.messages.count == 2 && !paged.complete)
        let rest = try await archive.query(query(alice) { $0.max = 2; $0.after = paged.last })
        #expect(rest.messages.map(\.body) == ["to the desk"] && rest.complete)

        let (oldest, newest) = try await archive.bounds(owner: bob)
        #expect(oldest?.body == "hello bob" && newest?.body == "to the desk")
        await writer.close()
    }

    @Test func preferencesDecideWhatIsKept() async throws {
        let database = try await database()
        let writer = SQLiteArchiveWriter(database: database)
        let archive = database.personalArchive
        #expect(try await archive.preferences(owner: bob) == .initial)

        let stored = try await archive.setPreferences(owner: bob, ArchivePreferences(
            default: .never, always: ["alice@example.com/phone", "x@example.com", "dup@example.com"], never: ["dup@example.com"]))
        #expect(stored == ArchivePreferences(default: .never, always: ["alice@example.com/phone", "x@example.com"], never: ["dup@example.com"]))
        #expect(try await archive.preferences(owner: bob) == ArchivePreferences(
            default: .never, always: ["alice@example.com/phone", "x@example.com"], never: ["dup@example.com"]))
        #expect(try await writer.append(personal: copies("desk")) == [true, false])
        #expect(try await writer.append(personal: copies("phone", from: "alice@example.com/phone")) == [true, true])

        _ = try await archive.setPreferences(owner: bob, ArchivePreferences(default: .roster, always: [], never: []))
        #expect(try await writer.append(personal: copies("not a contact")) == [true, false])
        _ = try await database.rosters.upsert(owner: bob, item: RosterItem(jid: alice))
        #expect(try await writer.append(personal: copies("a contact")) == [true, true])
        _ = try await archive.setPreferences(owner: bob, ArchivePreferences(default: .always, always: [], never: [alice]))
        #expect(try await writer.append(personal: copies("never alice")) == [true, false])

        #expect(try await archive.query(query(bob)).messages.map(\.body) == ["phone", "a contact"])
        let tooMany = (0...ArchivePreferences.maxJIDs).map { "u\($0)@example.com" }
        #expect(await storeErrorKind {
            _ = try await archive.setPreferences(owner: bob, ArchivePreferences(default: .always, always: tooMany, never: []))
        } == .limitReached)
        await writer.close()
    }

    @Test func noAccountNoCopyAndDeletionTakesTheArchive() async throws {
        let database = try await database()
        let writer = SQLiteArchiveWriter(database: database)
        // A message to an account that does not exist is bounced: neither copy is kept.
        #expect(try await writer.append(personal: copies("to nobody", to: "ghost@example.com")) == [false, false])
        #expect(try await writer.append(personal: [copies("from nobody", from: "ghost@example.com/x")[1]]) == [true])
        #expect(try await writer.append(personal: copies("to bob")) == [true, true])
        // Rooms and accounts share commits.
        async let room = writer.append(StoredMessage(room: "lobby", stanzaID: StoredMessage.newStanzaID(), senderJID: alice, nick: "a",
                                                     occupantID: "", timestamp: Date(), body: "in the room", stanza: "<message/>"))
        async let personal = writer.append(personal: copies("beside the room"))
        #expect(try await room == 1)
        #expect(try await personal == [true, true])
        _ = try await database.personalArchive.setPreferences(owner: bob, .init(default: .roster, always: [alice], never: []))

        try await database.accounts.delete(jid: bob)
        #expect(try await database.personalArchive.query(query(bob)).count == 0)
        #expect(try await database.personalArchive.preferences(owner: bob) == .initial)
        #expect(try await database.personalArchive.query(query(alice)).count == 2)
        let rows = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account_messages WHERE owner = ?", arguments: ["bob@example.com"]) ?? -1
        }
        #expect(rows == 0)
        await writer.close()
    }

    @Test func upgradeFromV10AddsTheArchive() async throws {
        let queue = try DatabaseQueue()
        try SalonSchema.migrator.migrate(queue, upTo: "v10-pep-items-by-item-id")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO users (jid, created_at) VALUES ('alice@example.com', 0)")
        }
        try SalonSchema.migrate(queue)
        let tables = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE 'account_messages%' OR name LIKE 'archive_pref%'")
        }
        #expect(Set(tables).isSuperset(of: ["account_messages", "account_messages_fts", "archive_preferences", "archive_preference_jids"]))
    }
}
