import Foundation
import SalonTestSupport
import Testing
@testable import SalonStore

@Suite struct ArchiveSearchTests {
    private static let bodies = [
        "Meet at the Café tonight",          // 0
        "the cafe is closed",                // 1
        "Quarterly report is ready",         // 2
        "report the bug to Bob",             // 3
        "Bob said: the report is late",      // 4
        "nothing to see here",               // 5
        "An \"exact phrase\" (with symbols) OR NOT", // 6
        "bob REPORT",                        // 7
    ]

    private func withSearchArchive(_ backend: TestBackend, _ body: (any ArchiveStore) async throws -> Void) async throws {
        let lobby = Self.bodies.enumerated().map { archiveMessage("lobby", $0.offset, body: $0.element) }
        let deals = [archiveMessage("deals", 0, body: "the report from deals"), archiveMessage("deals", 1, body: "café au lait")]
        try await withArchive(backend, lobby + deals, body)
    }

    private func search(_ archive: any ArchiveStore, _ text: TextFilter, rooms: [String] = ["lobby"]) async throws -> [String] {
        var query = ArchiveQuery(rooms: rooms)
        query.text = text
        query.max = 1000
        let page = try await archive.query(query)
        #expect(page.count == page.messages.count)
        return page.ids
    }

    /// Found by fuzzing (archive-search): a quote followed by a combining mark is one Swift
    /// Character, so doubling quotes Character by Character left it single and FTS5 failed
    /// with a syntax error (an SQL error for the client, not a refusal or an answer).
    @Test(arguments: TestBackend.all, [TextMatch.all, .any, .exact])
    func fuzzQuoteFollowedByACombiningMark(backend: TestBackend, match: TextMatch) async throws {
        try await withSearchArchive(backend) { archive async throws in
            #expect(ArchiveTextSearch.ftsString("a\"\u{301}b") == "\"a\"\"\u{301}b\"")
            #expect(try await search(archive, TextFilter("report\"\u{301} {x}", match: match)).allSatisfy { $0.hasPrefix("lobby-") })
            #expect(try await search(archive, TextFilter("\"\u{301}\"\u{301}bob\"\u{20DD}", match: match)).allSatisfy { $0.hasPrefix("lobby-") })
        }
    }

    @Test(arguments: TestBackend.all) func allKeywordsMustOccur(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            #expect(try await search(archive, TextFilter("report bob")) == stanzaIDs("lobby", [3, 4, 7]))
            #expect(try await search(archive, TextFilter("REPORT")) == stanzaIDs("lobby", [2, 3, 4, 7]))
            #expect(try await search(archive, TextFilter("report unicorn")) == [])
        }
    }

    @Test(arguments: TestBackend.all) func anyKeywordSuffices(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            #expect(try await search(archive, TextFilter("quarterly nothing", match: .any)) == stanzaIDs("lobby", [2, 5]))
            #expect(try await search(archive, TextFilter("unicorn", match: .any)) == [])
        }
    }

    @Test(arguments: TestBackend.all) func exactMatchesAPhrase(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            #expect(try await search(archive, TextFilter("the report", match: .exact)) == ["lobby-4"])
            #expect(try await search(archive, TextFilter("report the", match: .exact)) == ["lobby-3"])
            #expect(try await search(archive, TextFilter("  report   is  ", match: .exact)) == ["lobby-2", "lobby-4"])
        }
    }

    @Test(arguments: TestBackend.all) func foldsDiacritics(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            #expect(try await search(archive, TextFilter("cafe")) == ["lobby-0", "lobby-1"])
            #expect(try await search(archive, TextFilter("CAFÉ")) == ["lobby-0", "lobby-1"])
        }
    }

    @Test(arguments: TestBackend.all) func caseSensitivityMatchesVerbatim(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            #expect(try await search(archive, TextFilter("Bob", caseSensitive: true)) == ["lobby-3", "lobby-4"])
            #expect(try await search(archive, TextFilter("bob", caseSensitive: true)) == ["lobby-7"])
            #expect(try await search(archive, TextFilter("Café", caseSensitive: true)) == ["lobby-0"])
            #expect(try await search(archive, TextFilter("cafe", caseSensitive: true)) == ["lobby-1"])
            #expect(try await search(archive, TextFilter("REPORT Quarterly", match: .any, caseSensitive: true))
                    == ["lobby-2", "lobby-7"])
            #expect(try await search(archive, TextFilter("Bob said", match: .exact, caseSensitive: true)) == ["lobby-4"])
            #expect(try await search(archive, TextFilter("bob said", match: .exact, caseSensitive: true)) == [])
        }
    }

    @Test(arguments: TestBackend.all) func searchSyntaxIsPlainText(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            #expect(try await search(archive, TextFilter("\"exact phrase\"", match: .exact)) == ["lobby-6"])
            #expect(try await search(archive, TextFilter("OR NOT")) == ["lobby-6"])
            #expect(try await search(archive, TextFilter("symbols) (with")) == ["lobby-6"])
            #expect(try await search(archive, TextFilter("body:* NEAR(x y) ^start")) == [])
            #expect(try await search(archive, TextFilter("'); DROP TABLE room_messages; --", match: .any)) == [])
            #expect(try await search(archive, TextFilter("report")).count == 4)
        }
    }

    @Test(arguments: TestBackend.all) func searchesAcrossRoomsTagEachResult(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            var query = ArchiveQuery(rooms: ["lobby", "deals"])
            query.text = TextFilter("cafe")
            let page = try await archive.query(query)
            #expect(page.ids == ["lobby-0", "lobby-1", "deals-1"])
            #expect(page.messages.map(\.room) == ["lobby", "lobby", "deals"])
            #expect(page.count == 3)
        }
    }

    @Test(arguments: TestBackend.all) func roomsThatTokenizeAlikeStayApart(backend: TestBackend) async throws {
        let rooms = ["dev-ops", "dev.ops", "DEV-OPS", "dev", "ops", "é"]
        try await withArchive(backend, rooms.map { archiveMessage($0, 0, body: "deploy now") }) { archive async throws in
            for room in rooms {
                var query = ArchiveQuery(rooms: [room])
                query.text = TextFilter("deploy")
                let page = try await archive.query(query)
                #expect(page.ids == ["\(room)-0"])
                #expect(page.count == 1)
            }
            var both = ArchiveQuery(rooms: ["dev-ops", "é"])
            both.text = TextFilter("deploy")
            #expect(try await archive.query(both).count == 2)
        }
    }

    @Test(arguments: TestBackend.all) func searchCountsHonourMAMIDsAndOtherFilters(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            var query = ArchiveQuery(rooms: ["lobby"])
            query.text = TextFilter("report")
            query.afterID = "lobby-2"
            query.beforeID = "lobby-7"
            let page = try await archive.query(query)
            #expect(page.ids == ["lobby-3", "lobby-4"] && page.count == 2)
            query.afterID = nil
            query.beforeID = nil
            query.authors = ["nobody@example.com"]
            #expect(try await archive.query(query).count == 0)
            query.authors = []
            query.ids = ["lobby-2", "lobby-5"]
            #expect(try await archive.query(query).count == 1)
        }
    }

    @Test(arguments: TestBackend.all) func searchCombinesWithFiltersAndPaging(backend: TestBackend) async throws {
        try await withSearchArchive(backend) { archive async throws in
            var query = ArchiveQuery(rooms: ["lobby", "deals"])
            query.text = TextFilter("report")
            query.max = 2
            query.before = ""
            let last = try await archive.query(query)
            #expect(last.ids == ["lobby-7", "deals-0"])
            #expect(!last.complete && last.count == 5)
            query.before = last.first
            let previous = try await archive.query(query)
            #expect(previous.ids == ["lobby-3", "lobby-4"] && !previous.complete)
            query.before = nil
            query.after = "lobby-3"
            query.flip = true
            let forward = try await archive.query(query)
            #expect(forward.ids == ["lobby-7", "lobby-4"] && !forward.complete)
            query.after = nil
            query.flip = false
            query.end = archiveTime(3)
            query.start = archiveTime(3)
            #expect(try await archive.query(query).ids == ["lobby-3"])
        }
    }

    /// No prefix or column syntax: "repo*" is the word "repo", and punctuation splits words
    /// alike on both backends ("dev-ops" holds "dev" and "ops").
    @Test(arguments: TestBackend.all) func prefixesAndPunctuationAreWords(backend: TestBackend) async throws {
        let messages = [archiveMessage("lobby", 0, body: "the report is out"), archiveMessage("lobby", 1, body: "deploy dev-ops now"),
                        archiveMessage("lobby", 2, body: "mail bob@example.com or see v1.5")]
        try await withArchive(backend, messages) { archive async throws in
            #expect(try await search(archive, TextFilter("repo*")) == [])
            #expect(try await search(archive, TextFilter("report*")) == ["lobby-0"])
            #expect(try await search(archive, TextFilter("ops")) == ["lobby-1"])
            #expect(try await search(archive, TextFilter("dev ops", match: .exact)) == ["lobby-1"])
            #expect(try await search(archive, TextFilter("dev-ops")) == ["lobby-1"])
            #expect(try await search(archive, TextFilter("example")) == ["lobby-2"])
            #expect(try await search(archive, TextFilter("5", match: .any)) == ["lobby-2"])
            #expect(try await search(archive, TextFilter("body:report")) == [])
        }
    }

    /// A message with a NUL character (which PostgreSQL's text cannot hold) is refused by both.
    @Test(arguments: TestBackend.all) func aNULIsRefusedAlike(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let writer = database.archiveWriter(maxBatch: 8, commitObserver: nil)
            #expect(await storeErrorKind { _ = try await writer.append(archiveMessage("lobby", 0, body: "a\u{0}b")) } == .invalidArgument)
            #expect(try await writer.append(archiveMessage("lobby", 1)) == 1)
            await writer.close()
            #expect(await storeErrorKind {
                _ = try await database.archive.retract(room: "lobby", stanzaID: "lobby-1", tombstone: "x\u{0}")
            } == .invalidArgument)
            #expect(try await database.archive.message(room: "lobby\u{0}", stanzaID: "lobby-1") == nil)
            #expect(try await database.archive.bounds(room: "lobby\u{0}").first == nil)
            #expect(await archiveErrorKind { _ = try await database.archive.query(archiveQuery("lobby\u{0}")) } == .invalid)
            #expect(await archiveErrorKind { _ = try await database.archive.query(archiveQuery("lobby") { $0.after = "lobby-1\u{0}" }) }
                    == .itemNotFound)
        }
    }
}
