import PersistentChat
import Testing
@testable import SalonStore

/// `save(_:previous:ifRevision:)`: the server's save of a change to the directory it holds.
@Suite struct ChatConditionalSaveTests {
    @Test func savesAtTheExpectedRevisionAndReturnsTheNextOne() async throws {
        let (database, saved) = try await databaseWithRichDirectory()
        let revision = try await database.chat.revision()
        var changed = saved
        changed.rooms["deals"]?.subject = "Quarter close"
        #expect(try await database.chat.save(changed, previous: saved, ifRevision: revision) == revision + 1)
        #expect(try await database.chat.loadDirectory() == changed)
    }

    @Test func writesNothingWhenAnotherSaveCameFirst() async throws {
        let (database, saved) = try await databaseWithRichDirectory()
        let revision = try await database.chat.revision()
        var outside = saved
        outside.rooms["lobby"]?.subject = "From the CLI"
        try await database.chat.save(outside, previous: saved)
        var stale = saved
        stale.rooms["deals"]?.subject = "Stale"
        #expect(try await database.chat.save(stale, previous: saved, ifRevision: revision) == nil)
        #expect(try await database.chat.loadDirectory() == outside)
    }

    @Test func validatesTheChangedRoomsAgainstAllOthers() async throws {
        let (database, saved) = try await databaseWithRichDirectory()
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
