import Foundation
import GRDB
import SalonTestSupport
import Testing
@testable import SalonStore

/// Runs once per backend (`TestBackend`), but for SQLite's upgrade.
@Suite struct PersonalArchiveStoreTests {
    let alice = "alice@example.com"
    let bob = "bob@example.com"

    /// `body` with a fresh backend of `kind` holding Alice's and Bob's accounts, and its writer (closed after).
    private func withAccounts(_ kind: TestBackend, _ body: (any StoreBackend, any ArchiveWriter) async throws -> Void) async throws {
        try await withBackend(kind) { database async throws in
            try await database.accounts.create(jid: alice, credentials: [])
            try await database.accounts.create(jid: bob, credentials: [])
            let writer = database.archiveWriter(maxBatch: 64, commitObserver: nil)
            do {
                try await body(database, writer)
            } catch {
                await writer.close()
                throw error
            }
            await writer.close()
        }
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

    @Test(arguments: TestBackend.all) func bothCopiesAreArchivedAndQueriedByWithTimeIDsAndText(backend: TestBackend) async throws {
        try await withAccounts(backend) { database, writer async throws in
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
            #expect(try await archive.bounds(owner: "carol@example.com") == (nil, nil))
        }
    }

    @Test(arguments: TestBackend.all) func preferencesDecideWhatIsKept(backend: TestBackend) async throws {
        try await withAccounts(backend) { database, writer async throws in
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
            #expect(await storeErrorKind {
                _ = try await archive.setPreferences(owner: bob, ArchivePreferences(default: .always, always: ["nul\0@example.com"], never: []))
            } == .invalidArgument)
            #expect(try await archive.preferences(owner: bob) == ArchivePreferences(default: .always, always: [], never: [alice]))
        }
    }

    @Test(arguments: TestBackend.all) func noAccountNoCopyAndDeletionTakesTheArchive(backend: TestBackend) async throws {
        try await withAccounts(backend) { database, writer async throws in
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
            #expect(try await rowCount(database, "account_messages", where: "owner = 'bob@example.com'") == 0)
            #expect(try await rowCount(database, "archive_preference_jids", where: "owner = 'bob@example.com'") == 0)
            #expect(try await rowCount(database, "account_message_counts", where: "owner = 'bob@example.com'") == 0)
        }
    }

    /// Two nodes appending to the same accounts at once: every copy kept, once, and an
    /// account's archive pages through all of them in one order.
    @Test(arguments: TestBackend.all) func twoNodesAppendingToOneAccountKeepEveryCopy(backend: TestBackend) async throws {
        try await withTwoNodes(backend) { first, second async throws in
            try await first.accounts.create(jid: alice, credentials: [])
            try await first.accounts.create(jid: bob, credentials: [])
            let writers = [first.archiveWriter(maxBatch: 8, commitObserver: nil), second.archiveWriter(maxBatch: 8, commitObserver: nil)]
            let kept = try await withThrowingTaskGroup(of: [Bool].self) { group in
                for n in 0..<40 {
                    let writer = writers[n % 2]
                    let message = copies("message \(n)", at: TimeInterval(1_000 + n))
                    group.addTask { try await writer.append(personal: message) }
                }
                return try await group.reduce(into: [Bool]()) { $0 += $1 }
            }
            for writer in writers { await writer.close() }
            #expect(kept == Array(repeating: true, count: 80))
            let firstPage = try await second.personalArchive.query(query(bob) { $0.max = 25 })
            let rest = try await first.personalArchive.query(query(bob) { $0.max = 25; $0.after = firstPage.last })
            #expect(firstPage.count == 40 && rest.complete)
            let bodies = (firstPage.messages + rest.messages).map(\.body)
            #expect(Set(bodies) == Set((0..<40).map { "message \($0)" }) && bodies.count == 40)
        }
    }

    @Test(arguments: TestBackend.all) func hostileCopiesAreRefusedAlike(backend: TestBackend) async throws {
        try await withAccounts(backend) { database, writer async throws in
            #expect(await storeErrorKind { _ = try await writer.append(personal: copies("nul \0 body")) } == .invalidArgument)
            #expect(await storeErrorKind { _ = try await writer.append(personal: copies("hi", to: "bob@example.com/nul\0")) } == .invalidArgument)
            await #expect(throws: ArchiveError.self) { try await database.personalArchive.query(query("nul\0@example.com")) }
            #expect(try await database.personalArchive.preferences(owner: "nul\0@example.com") == .initial)
            #expect(try await database.personalArchive.query(query(bob)).count == 0)
        }
    }

    /// The operator's text search configuration is the accounts' archives' too: opening with
    /// 'english' rebuilds their search column, so "reports" finds "report".
    @Test(.enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
    func theTextSearchConfigurationCoversAccountsArchives() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            var search = ArchiveQuery(rooms: [bob])
            search.text = TextFilter("reports")
            let simple = try await PostgresBackend.open(configuration)
            try await simple.accounts.create(jid: alice, credentials: [])
            try await simple.accounts.create(jid: bob, credentials: [])
            let writer = simple.archiveWriter(maxBatch: 8, commitObserver: nil)
            #expect(try await writer.append(personal: copies("the quarterly report")) == [true, true])
            await writer.close()
            #expect(try await simple.personalArchive.query(search).count == 0)
            await simple.shutdown()

            var english = configuration
            english.textSearch = "english"
            let stemming = try await PostgresBackend.open(english)
            #expect(try await stemming.personalArchive.query(search).messages.map(\.body) == ["the quarterly report"])
            await stemming.shutdown()
        }
    }

    /// The database gone: personal appends fail as unavailable, never acknowledged.
    @Test(.enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
    func personalAppendsFailWhenTheDatabaseIsGone() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let node = try await PostgresBackend.open(configuration)
            try await node.accounts.create(jid: alice, credentials: [])
            try await node.accounts.create(jid: bob, credentials: [])
            let writer = node.archiveWriter(maxBatch: 8, commitObserver: nil)
            await node.shutdown()
            #expect(await storeErrorKind { _ = try await writer.append(personal: copies("lost")) } == .unavailable)
            await writer.close()
        }
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
