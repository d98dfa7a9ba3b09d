import Testing
@testable import PersistentChat

/// The room's lists as muc#admin edits them: one affiliation per principal.
struct RoomListTests {
    struct Change: Sendable, CustomTestStringConvertible {
        var affiliation: RoomAffiliation
        var members: [Principal], managers: [Principal], banned: [Principal]
        var testDescription: String { "carol becomes \(affiliation)" }
    }

    static let carol = Principal.user(Sample.carol)

    // Carol starts as a member; each change replaces that affiliation.
    static let changes: [Change] = [
        Change(affiliation: .manager, members: [.user(Sample.alice)], managers: [.user(Sample.alice), carol], banned: []),
        Change(affiliation: .member, members: [.user(Sample.alice), carol], managers: [.user(Sample.alice)], banned: []),
        Change(affiliation: .outcast, members: [.user(Sample.alice)], managers: [.user(Sample.alice)], banned: [carol]),
        Change(affiliation: .none, members: [.user(Sample.alice)], managers: [.user(Sample.alice)], banned: []),
    ]

    static func world() throws -> ChatDirectory {
        var directory = Sample.directory()
        _ = try directory.createRoom(Sample.room(members: [.user(Sample.alice), carol], managers: [.user(Sample.alice)]), by: .system)
        return directory
    }

    @Test(arguments: changes)
    func oneAffiliationPerPrincipal(_ change: Change) throws {
        var directory = try Self.world()
        _ = try directory.setAffiliations([(Self.carol, change.affiliation)], in: "general", by: .user(Sample.alice))
        let room = try #require(directory.rooms["general"])
        #expect(room.members == change.members)
        #expect(room.managers == change.managers)
        #expect(room.banned == change.banned)
    }

    @Test func onlyManagersSetAffiliations() throws {
        var directory = try Self.world()
        expectRuleError(.forbidden) { () throws(ChatRuleError) in
            _ = try directory.setAffiliations([(.user(Sample.bob), .member)], in: "general", by: .user(Sample.carol))
        }
    }

    @Test func aManagerMayNotBanThemselves() throws {
        var directory = try Self.world()
        expectRuleError(.forbidden) { () throws(ChatRuleError) in
            _ = try directory.setAffiliations([(.user(Sample.alice), .outcast)], in: "general", by: .user(Sample.alice))
        }
    }

    @Test func noListOfTheUnaffiliated() throws {
        let directory = try Self.world()
        let room = try #require(directory.rooms["general"])
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            try directory.principals(with: .none, in: room, seenBy: directory.access(of: Sample.admin, to: room))
        }
    }

    @Test func roomAdministratorsAndHandGivenModeratorsDoNotExist() {
        #expect(ChatDirectory.noRoomAdministrators.kind == .unavailable)
        #expect(ChatDirectory.moderatorsAreManagers.kind == .unavailable)
    }
}
