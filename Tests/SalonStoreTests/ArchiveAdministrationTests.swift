import Foundation
import SalonTestSupport
import Testing
@testable import SalonStore

@Suite struct ArchiveAdministrationTests {
    private func search(_ archive: any ArchiveStore, _ room: String, _ text: String) async throws -> [String] {
        var query = ArchiveQuery(rooms: [room])
        query.text = TextFilter(text)
        return try await archive.query(query).ids
    }

    /// A replacement whose stanza is the stored one in brackets, to show which stanza the store kept.
    private func bracketing(_ body: String) -> ArchiveReplacement {
        ArchiveReplacement(body: body) { "[\($0)]" }
    }

    @Test(arguments: TestBackend.all) func clearDeletesUpToAndIncludingTheDate(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let writer = database.archiveWriter(maxBatch: 1024, commitObserver: nil)
            for message in roomMessages("lobby", 6) + roomMessages("deals", 6) {
                _ = try await writer.append(message)
            }
            let archive = database.archive
            #expect(try await archive.clear(room: "lobby", until: archiveTime(3)) == 4)
            #expect(try await archive.query(archiveQuery("lobby")).ids == ["lobby-4", "lobby-5"])
            #expect(try await archive.query(archiveQuery("lobby")).count == 2)
            #expect(try await archive.query(archiveQuery("deals")).count == 6)
            #expect(try await search(archive, "lobby", "message") == ["lobby-4", "lobby-5"])
            #expect(try await archive.clear(room: "lobby", until: archiveTime(3)) == 0)
            #expect(try await archive.clear(room: "nowhere", until: .distantFuture) == 0)
            // Sequences are never reused.
            #expect(try await archive.clear(room: "lobby", until: .distantFuture) == 2)
            #expect(try await writer.append(archiveMessage("lobby", 6)) == 7)
            await writer.close()
            #expect(try await archive.query(archiveQuery("lobby")).count == 1)
        }
    }

    @Test(arguments: TestBackend.all) func removeDeletesMatchingMessages(backend: TestBackend) async throws {
        let messages = [
            archiveMessage("lobby", 0, body: "buy now", author: "spam@example.com"),
            archiveMessage("lobby", 1, body: "hello all"),
            archiveMessage("lobby", 2, body: "Buy NOW cheap", author: "spam@example.com"),
            archiveMessage("lobby", 3, body: "buy now", author: "spam@example.com"),
            archiveMessage("lobby", 4, body: "please buy now", author: "bob@example.com"),
        ]
        try await withArchive(backend, messages) { archive async throws in
            let removed = try await archive.remove(room: "lobby", authors: ["spam@example.com"], from: archiveTime(1),
                                                   to: archiveTime(2), text: TextFilter("buy now", match: .exact),
                                                   replacement: nil)
            #expect(removed == 1)
            #expect(try await archive.query(archiveQuery("lobby")).ids == stanzaIDs("lobby", [0, 1, 3, 4]))
            #expect(try await search(archive, "lobby", "cheap") == [])
            #expect(try await archive.remove(room: "lobby", authors: [], from: nil, to: nil,
                                             text: TextFilter("Buy", caseSensitive: true), replacement: nil) == 0)
            #expect(try await archive.remove(room: "lobby", authors: [], from: nil, to: nil,
                                             text: TextFilter("buy hello", match: .any), replacement: nil) == 4)
            #expect(try await archive.query(archiveQuery("lobby")).count == 0)
            #expect(await archiveErrorKind {
                _ = try await archive.remove(room: "lobby", authors: [], from: nil, to: nil, text: TextFilter(""), replacement: nil)
            } == .invalid)
        }
    }

    @Test(arguments: TestBackend.all) func removeWithoutFiltersEmptiesTheRoomOnly(backend: TestBackend) async throws {
        try await withArchive(backend, roomMessages("lobby", 3) + roomMessages("deals", 2)) { archive async throws in
            #expect(try await archive.remove(room: "lobby", authors: [], from: nil, to: nil, text: nil, replacement: nil) == 3)
            #expect(try await archive.query(archiveQuery("lobby", "deals")).ids == ["deals-0", "deals-1"])
        }
    }

    @Test(arguments: TestBackend.all) func replaceRewritesBodyStanzaAndIndex(backend: TestBackend) async throws {
        let messages = [
            archiveMessage("lobby", 0, body: "secret plans <b>"),
            archiveMessage("lobby", 1, body: "public news"),
        ]
        try await withArchive(backend, messages) { archive async throws in
            let replacement = "This message was replaced by the persistent chat administrator."
            #expect(try await archive.remove(room: "lobby", authors: ["alice@example.com"], from: nil, to: nil,
                                             text: TextFilter("secret"), replacement: bracketing(replacement)) == 1)
            let replaced = try #require(try await archive.message(room: "lobby", stanzaID: "lobby-0"))
            #expect(replaced.body == replacement)
            // The store keeps the stanza the caller made from the stored one (SalonAdmin rewrites its bodies).
            #expect(replaced.stanza == "[<message type='groupchat'><body>secret plans &lt;b&gt;</body></message>]")
            #expect(replaced.sequence == 1 && !replaced.retracted)
            #expect(try await search(archive, "lobby", "secret") == [])
            #expect(try await search(archive, "lobby", "replaced administrator") == ["lobby-0"])
            #expect(try await archive.query(archiveQuery("lobby")).count == 2)
            // The body is stored as text.
            #expect(try await archive.remove(room: "lobby", authors: [], from: nil, to: nil, text: TextFilter("news"),
                                             replacement: bracketing("<gone> & done")) == 1)
            let escaped = try #require(try await archive.message(room: "lobby", stanzaID: "lobby-1"))
            #expect(escaped.body == "<gone> & done")
            #expect(escaped.stanza == "[<message type='groupchat'><body>public news</body></message>]")
        }
    }

    @Test(arguments: TestBackend.all) func retractLeavesATombstone(backend: TestBackend) async throws {
        var titled = archiveMessage("lobby", 1, body: "regrettable words")
        titled.subject = "Regrettable title"
        try await withArchive(backend, [archiveMessage("lobby", 0), titled, archiveMessage("lobby", 2)]) { archive async throws in
            let tombstone = "<message type='groupchat'><retracted xmlns='urn:xmpp:message-retract:1'/></message>"
            let old = try await archive.retract(room: "lobby", stanzaID: "lobby-1", tombstone: tombstone)
            #expect(old?.body == "regrettable words")
            #expect(old?.subject == "Regrettable title")
            #expect(old?.retracted == false)

            let stored = try #require(try await archive.message(room: "lobby", stanzaID: "lobby-1"))
            #expect(stored.retracted && stored.body == "" && stored.stanza == tombstone && stored.subject == nil)
            #expect(stored.sequence == 2 && stored.timestamp == titled.timestamp)
            #expect(try await search(archive, "lobby", "regrettable") == [])

            let all = try await archive.query(archiveQuery("lobby"))
            #expect(all.ids == stanzaIDs("lobby", 0...2) && all.count == 3)
            let live = try await archive.query(archiveQuery("lobby") { $0.includeRetracted = false })
            #expect(live.ids == ["lobby-0", "lobby-2"] && live.count == 2)

            #expect(try await archive.retract(room: "lobby", stanzaID: "missing", tombstone: tombstone) == nil)
            #expect(try await archive.retract(room: "deals", stanzaID: "lobby-0", tombstone: tombstone) == nil)
            // Replacing skips tombstones; deleting takes them.
            #expect(try await archive.remove(room: "lobby", authors: [], from: nil, to: nil, text: nil, replacement: bracketing("x")) == 2)
            #expect(try await archive.message(room: "lobby", stanzaID: "lobby-1")?.stanza == tombstone)
            #expect(try await archive.remove(room: "lobby", authors: [], from: archiveTime(1), to: archiveTime(1), text: nil,
                                             replacement: nil) == 1)
        }
    }

    @Test func appendsAndDeletionsStayIndexed() async throws {
        let database = try SalonDatabase.inMemory()
        _ = try await SQLiteArchiveWriter(database: database).append(archiveMessage("lobby", 0, body: "indexed by trigger"))
        var query = ArchiveQuery(rooms: ["lobby"])
        query.text = TextFilter("trigger")
        #expect(try await database.archive.query(query).ids == ["lobby-0"])
        try await database.archive.deleteMessages(room: "lobby")
        #expect(try await database.archive.query(query).ids == [])
        #expect(try await database.archive.query(ArchiveQuery(rooms: ["lobby"])).count == 0)
    }
}
