import PersistentChat
import SalonTestSupport
import Testing
@testable import SalonStore

/// `save(_:previous:ifRevision:)`: the server's save of a change to the directory it holds.
/// Runs once per backend (`TestBackend`).
@Suite struct ChatConditionalSaveTests {
    @Test(arguments: TestBackend.all) func savesAtTheExpectedRevisionAndReturnsTheNextOne(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            let revision = try await database.chat.revision()
            var changed = saved
            changed.rooms["deals"]?.subject = "Quarter close"
            #expect(try await database.chat.save(changed, previous: saved, ifRevision: revision) == revision + 1)
            #expect(try await database.chat.loadDirectory() == changed)
        }
    }

    @Test(arguments: TestBackend.all) func writesNothingWhenAnotherSaveCameFirst(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            let revision = try await database.chat.revision()
            var outside = saved
            outside.rooms["lobby"]?.subject = "From the CLI"
            try await database.chat.save(outside, previous: saved)
            var stale = saved
            stale.rooms["deals"]?.subject = "Stale"
            #expect(try await database.chat.save(stale, previous: saved, ifRevision: revision) == nil)
            #expect(try await database.chat.loadDirectory() == outside)
        }
    }

    @Test(arguments: TestBackend.all) func validatesTheChangedRoomsAgainstAllOthers(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            let revision = try await database.chat.revision()
            var clash = saved
            let lobbyName = try #require(saved.rooms["lobby"]?.name)
            clash.rooms["deals"]?.name = lobbyName.uppercased()
            await #expect(throws: StoreError.self) {
                try await database.chat.save(clash, previous: saved, ifRevision: revision)
            }
            #expect(try await database.chat.revision() == revision)
        }
    }

    /// Two nodes save changes at the same revision at once, several times each: exactly one
    /// save per revision wins, every other is refused and writes nothing, whichever node it
    /// came from.
    @Test(arguments: TestBackend.all) func aStaleRevisionIsRefusedAcrossNodes(backend: TestBackend) async throws {
        try await withTwoNodes(backend) { first, second async throws in
            let base = try richDirectory()
            try await first.chat.save(base, previous: ChatDirectory())
            for round in 0..<5 {
                let (current, revision) = try await first.chat.loadDirectoryAndRevision()
                let nodes = [first, second, first, second]
                let results = try await withThrowingTaskGroup(of: (Int, Int64?).self) { group in
                    for (index, node) in nodes.enumerated() {
                        var changed = current
                        changed.rooms["lobby"]?.subject = "round \(round) by \(index)"
                        group.addTask { (index, try await node.chat.save(changed, previous: current, ifRevision: revision)) }
                    }
                    var results: [Int: Int64?] = [:]
                    for try await (index, saved) in group { results[index] = saved }
                    return results
                }
                let winners = results.filter { $0.value != nil }
                #expect(winners.count == 1)
                let winner = try #require(winners.first)
                #expect(winner.value == revision + 1)
                #expect(try await second.chat.revision() == revision + 1)
                #expect(try await second.chat.loadDirectory().rooms["lobby"]?.subject == "round \(round) by \(winner.key)")
            }
        }
    }
}
