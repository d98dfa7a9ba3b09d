import Testing
@testable import PersistentChat

/// Cross-room search and room content: who may, and which rooms a search covers.
struct SearchRuleTests {
    static func world() throws -> ChatDirectory {
        var directory = Sample.directory()
        directory.categories["quiet"] = Category(name: "Quiet", allowed: [.domain("example.com")], chatHistory: false)
        _ = try directory.createRoom(Sample.room("open", name: "Open", privacy: .open), by: .system)
        _ = try directory.createRoom(Sample.room("closed", name: "Closed", members: [.user(Sample.bob)]), by: .system)
        _ = try directory.createRoom(Sample.room("unkept", name: "Unkept", category: "Quiet", privacy: .open), by: .system)
        return directory
    }

    @Test(arguments: [
        (Sample.alice, ["open"]), (Sample.bob, ["closed", "open"]), (Sample.dave, []), (Sample.admin, ["open"]),
    ])
    func searchableRooms(_ user: String, rooms: [String]) throws {
        #expect(try Self.world().searchableRooms(for: user) == rooms)
    }

    @Test func searchNeedsPersistentChat() throws {
        var directory = try Self.world()
        directory.policy = ChatPolicy(overrides: [Sample.bob: false])
        #expect(directory.maySearch(Sample.alice))
        #expect(!directory.maySearch(Sample.bob))
        #expect(directory.searchableRooms(for: Sample.bob) == [])
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.checkMaySearch(Sample.bob) }
    }

    @Test(arguments: [(Sample.admin, true), (Sample.alice, false), (Sample.bob, false)])
    func onlyAdministratorsEditContent(_ user: String, allowed: Bool) throws {
        #expect(try Self.world().mayEditContent(user) == allowed)
    }
}
