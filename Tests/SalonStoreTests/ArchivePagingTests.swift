import Foundation
import SalonTestSupport
import Testing
@testable import SalonStore

@Suite struct ArchivePagingTests {
    @Test(arguments: TestBackend.all) func anEmptyArchiveGivesAnEmptyCompletePage(backend: TestBackend) async throws {
        try await withArchive(backend, []) { archive async throws in
            let page = try await archive.query(archiveQuery("lobby"))
            #expect(page.messages.isEmpty)
            #expect(page.complete)
            #expect(page.count == 0)
            #expect(page.first == nil && page.last == nil)
            let last = try await archive.query(archiveQuery("lobby") { $0.before = "" })
            #expect(last.messages.isEmpty && last.complete && last.count == 0)
        }
    }

    @Test(arguments: TestBackend.all) func pagesForwardFromTheFirstMessage(backend: TestBackend) async throws {
        try await withArchive(backend, roomMessages("lobby", 10)) { archive async throws in
            let first = try await archive.query(archiveQuery("lobby") { $0.max = 4 })
            #expect(first.ids == stanzaIDs("lobby", 0..<4))
            #expect(!first.complete)
            #expect(first.count == 10)
            #expect(first.first == "lobby-0" && first.last == "lobby-3")
            #expect(first.messages.map(\.sequence) == [1, 2, 3, 4])

            let second = try await archive.query(archiveQuery("lobby") { $0.max = 4; $0.after = first.last })
            #expect(second.ids == stanzaIDs("lobby", 4..<8))
            #expect(!second.complete)
            let third = try await archive.query(archiveQuery("lobby") { $0.max = 4; $0.after = second.last })
            #expect(third.ids == stanzaIDs("lobby", 8..<10))
            #expect(third.complete)
            #expect(third.count == 10)
            // Exactly filling the page is complete too.
            let exact = try await archive.query(archiveQuery("lobby") { $0.max = 2; $0.after = "lobby-7" })
            #expect(exact.ids == ["lobby-8", "lobby-9"] && exact.complete)
            let past = try await archive.query(archiveQuery("lobby") { $0.after = "lobby-9" })
            #expect(past.messages.isEmpty && past.complete && past.count == 10)
        }
    }

    @Test(arguments: TestBackend.all) func anEmptyBeforeAsksForTheLastPageAndPagesBackward(backend: TestBackend) async throws {
        try await withArchive(backend, roomMessages("lobby", 10)) { archive async throws in
            let last = try await archive.query(archiveQuery("lobby") { $0.max = 4; $0.before = "" })
            #expect(last.ids == stanzaIDs("lobby", 6..<10))
            #expect(!last.complete)
            #expect(last.first == "lobby-6" && last.last == "lobby-9")
            let previous = try await archive.query(archiveQuery("lobby") { $0.max = 4; $0.before = last.first })
            #expect(previous.ids == stanzaIDs("lobby", 2..<6))
            #expect(!previous.complete)
            let oldest = try await archive.query(archiveQuery("lobby") { $0.max = 4; $0.before = previous.first })
            #expect(oldest.ids == ["lobby-0", "lobby-1"])
            #expect(oldest.complete)
            let everything = try await archive.query(archiveQuery("lobby") { $0.max = 10; $0.before = "" })
            #expect(everything.ids == stanzaIDs("lobby", 0..<10) && everything.complete)
        }
    }

    @Test(arguments: TestBackend.all) func flipPutsTheNewestFirstWithinThePage(backend: TestBackend) async throws {
        try await withArchive(backend, roomMessages("lobby", 10)) { archive async throws in
            let last = try await archive.query(archiveQuery("lobby") { $0.max = 3; $0.before = ""; $0.flip = true })
            #expect(last.ids == ["lobby-9", "lobby-8", "lobby-7"])
            #expect(last.first == "lobby-9" && last.last == "lobby-7")
            #expect(!last.complete)
            let first = try await archive.query(archiveQuery("lobby") { $0.max = 3; $0.flip = true })
            #expect(first.ids == ["lobby-2", "lobby-1", "lobby-0"])
        }
    }

    @Test(arguments: TestBackend.all) func maxIsClampedAndZeroCountsOnly(backend: TestBackend) async throws {
        try await withArchive(backend, roomMessages("lobby", 5)) { archive async throws in
            let countOnly = try await archive.query(archiveQuery("lobby") { $0.max = 0 })
            #expect(countOnly.messages.isEmpty && countOnly.count == 5 && !countOnly.complete)
            #expect(countOnly.first == nil)
            let negative = try await archive.query(archiveQuery("lobby") { $0.max = -3 })
            #expect(negative.ids == ["lobby-0"])
            let huge = try await archive.query(archiveQuery("lobby") { $0.max = Int.max })
            #expect(huge.ids.count == 5 && huge.complete)
            let emptyCount = try await archive.query(archiveQuery("nowhere") { $0.max = 0 })
            #expect(emptyCount.count == 0 && emptyCount.complete)
        }
    }

    @Test(arguments: TestBackend.all) func unknownIDsAreItemNotFound(backend: TestBackend) async throws {
        try await withArchive(backend, roomMessages("lobby", 3) + roomMessages("deals", 3)) { archive async throws in
            let queries: [ArchiveQuery] = [
                archiveQuery("lobby") { $0.after = "nope" },
                archiveQuery("lobby") { $0.before = "nope" },
                archiveQuery("lobby") { $0.afterID = "nope" },
                archiveQuery("lobby") { $0.beforeID = "nope" },
                // An id of another room is unknown to a query of this room.
                archiveQuery("lobby") { $0.after = "deals-1" },
                archiveQuery("lobby") { $0.before = String(repeating: "x", count: 5000) },
            ]
            for query in queries {
                #expect(await archiveErrorKind { _ = try await archive.query(query) } == .itemNotFound)
            }
            // Known to a query of both rooms.
            let both = try await archive.query(archiveQuery("lobby", "deals") { $0.after = "deals-1" })
            #expect(both.ids == ["deals-2"])
        }
    }

    @Test(arguments: TestBackend.all) func malformedQueriesAreInvalid(backend: TestBackend) async throws {
        try await withArchive(backend, []) { archive async throws in
            let queries: [ArchiveQuery] = [
                ArchiveQuery(rooms: []),
                archiveQuery("") ,
                archiveQuery("lobby") { $0.start = Date(timeIntervalSince1970: .nan) },
                archiveQuery("lobby") { $0.text = TextFilter("   ") },
                archiveQuery("lobby") { $0.text = TextFilter("?! ...") },
                archiveQuery("lobby") { $0.text = TextFilter(String(repeating: "word ", count: 300)) },
                archiveQuery("lobby") { $0.ids = (0..<1001).map(String.init) },
            ]
            for query in queries {
                #expect(await archiveErrorKind { _ = try await archive.query(query) } == .invalid)
            }
        }
    }

    @Test(arguments: TestBackend.all) func messagesKeepEveryField(backend: TestBackend) async throws {
        var message = archiveMessage("lobby", 0, alert: true)
        message.subject = "A story"
        try await withArchive(backend, [message]) { archive async throws in
            var expected = message
            expected.sequence = 1
            #expect(try await archive.query(archiveQuery("lobby")).messages == [expected])
            #expect(try await archive.message(room: "lobby", stanzaID: "lobby-0") == expected)
            #expect(try await archive.message(room: "other", stanzaID: "lobby-0") == nil)
            #expect(try await archive.message(room: "lobby", stanzaID: "lobby-1") == nil)
        }
    }

    @Test(arguments: TestBackend.all) func boundsAreTheOldestAndNewestMessages(backend: TestBackend) async throws {
        try await withArchive(backend, roomMessages("lobby", 4) + roomMessages("deals", 2)) { archive async throws in
            let bounds = try await archive.bounds(room: "lobby")
            #expect(bounds.first?.stanzaID == "lobby-0")
            #expect(bounds.last?.stanzaID == "lobby-3")
            let empty = try await archive.bounds(room: "nowhere")
            #expect(empty.first == nil && empty.last == nil)
        }
    }

    /// Appends queued together (one group commit, as a busy room's are): a repeated stanza-id
    /// fails alone, the others get consecutive sequences per room.
    @Test(arguments: TestBackend.all) func aRepeatedStanzaIDInOneBatchFailsAlone(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let writer = database.archiveWriter(maxBatch: 64, commitObserver: nil)
            let messages = [archiveMessage("lobby", 0), archiveMessage("lobby", 0), archiveMessage("deals", 0), archiveMessage("lobby", 1)]
            let (stream, continuation) = AsyncStream.makeStream(of: (Int, Result<Int64, any Error>).self)
            for (index, message) in messages.enumerated() {
                writer.append(message) { continuation.yield((index, $0)) }
            }
            var results: [Int: Result<Int64, any Error>] = [:]
            for await (index, result) in stream {
                results[index] = result
                if results.count == messages.count { break }
            }
            await writer.close()
            #expect(try results[0]?.get() == 1)
            #expect(await storeErrorKind { _ = try results[1]?.get() } == .conflict)
            #expect(try results[2]?.get() == 1)
            #expect(try results[3]?.get() == 2)
            #expect(try await database.archive.query(archiveQuery("lobby", "deals")).ids == ["lobby-0", "deals-0", "lobby-1"])
        }
    }
}
