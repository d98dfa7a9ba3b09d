import Foundation
import SalonTestSupport
import Testing
@testable import SalonStore

@Suite struct ArchiveFilterTests {
    /// lobby: 0…9, even indexes by alice, odd by bob; deals: 0…2 by carol.
    private func withSampleArchive(_ backend: TestBackend, _ body: (any ArchiveStore) async throws -> Void) async throws {
        let lobby = (0..<10).map { archiveMessage("lobby", $0, author: $0.isMultiple(of: 2) ? "alice@example.com" : "bob@example.com") }
        let deals = (0..<3).map { archiveMessage("deals", $0, author: "carol@example.com") }
        try await withArchive(backend, lobby + deals, body)
    }

    @Test(arguments: TestBackend.all) func authorsFilterLikeMAMWith(backend: TestBackend) async throws {
        try await withSampleArchive(backend) { archive async throws in
            let bob = try await archive.query(archiveQuery("lobby") { $0.authors = ["bob@example.com"] })
            #expect(bob.ids == stanzaIDs("lobby", [1, 3, 5, 7, 9]))
            #expect(bob.count == 5)
            let two = try await archive.query(archiveQuery("lobby", "deals") { $0.authors = ["bob@example.com", "carol@example.com"] })
            #expect(two.count == 8)
            let nobody = try await archive.query(archiveQuery("lobby") { $0.authors = ["carol@example.com"] })
            #expect(nobody.messages.isEmpty && nobody.count == 0 && nobody.complete)
        }
    }

    @Test(arguments: TestBackend.all) func startAndEndAreInclusive(backend: TestBackend) async throws {
        try await withSampleArchive(backend) { archive async throws in
            let range = try await archive.query(archiveQuery("lobby") { $0.start = archiveTime(3); $0.end = archiveTime(6) })
            #expect(range.ids == stanzaIDs("lobby", 3...6))
            #expect(range.count == 4)
            let since = try await archive.query(archiveQuery("lobby") { $0.start = archiveTime(8) })
            #expect(since.ids == ["lobby-8", "lobby-9"])
            let until = try await archive.query(archiveQuery("lobby") { $0.end = archiveTime(1) })
            #expect(until.ids == ["lobby-0", "lobby-1"])
            let inverted = try await archive.query(archiveQuery("lobby") { $0.start = archiveTime(6); $0.end = archiveTime(3) })
            #expect(inverted.messages.isEmpty && inverted.count == 0)
            let distant = try await archive.query(archiveQuery("lobby") { $0.start = .distantPast; $0.end = .distantFuture })
            #expect(distant.count == 10)
        }
    }

    @Test(arguments: TestBackend.all) func afterIDAndBeforeIDAreExclusiveFilters(backend: TestBackend) async throws {
        try await withSampleArchive(backend) { archive async throws in
            let between = try await archive.query(archiveQuery("lobby") { $0.afterID = "lobby-2"; $0.beforeID = "lobby-6" })
            #expect(between.ids == stanzaIDs("lobby", 3...5))
            // They are filters, so the count honours them, and paging works inside them.
            #expect(between.count == 3)
            let paged = try await archive.query(archiveQuery("lobby") {
                $0.afterID = "lobby-2"; $0.beforeID = "lobby-6"; $0.max = 2; $0.before = ""
            })
            #expect(paged.ids == ["lobby-4", "lobby-5"] && !paged.complete && paged.count == 3)
        }
    }

    @Test(arguments: TestBackend.all) func idsSelectThoseMessagesOnly(backend: TestBackend) async throws {
        try await withSampleArchive(backend) { archive async throws in
            let some = try await archive.query(archiveQuery("lobby") { $0.ids = ["lobby-7", "lobby-2", "deals-1", "missing"] })
            #expect(some.ids == ["lobby-2", "lobby-7"])
            #expect(some.count == 2)
            let none = try await archive.query(archiveQuery("lobby") { $0.ids = [] })
            #expect(none.messages.isEmpty && none.count == 0)
        }
    }

    @Test(arguments: TestBackend.all) func severalRoomsAreMergedInArchiveOrderAndTaggedWithTheirRoom(backend: TestBackend) async throws {
        let interleaved = (0..<3).flatMap { [archiveMessage("lobby", $0), archiveMessage("deals", $0)] }
        try await withArchive(backend, interleaved) { archive async throws in
            let page = try await archive.query(archiveQuery("lobby", "deals", "lobby") { $0.max = 4 })
            #expect(page.ids == ["lobby-0", "deals-0", "lobby-1", "deals-1"])
            #expect(page.messages.map(\.room) == ["lobby", "deals", "lobby", "deals"])
            #expect(page.count == 6)
            let next = try await archive.query(archiveQuery("lobby", "deals") { $0.after = page.last })
            #expect(next.ids == ["lobby-2", "deals-2"] && next.complete)
        }
    }
}
