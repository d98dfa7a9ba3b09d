import Testing
@testable import PersistentChat

/// Coverage and scope (design §2): Allowed − Denied, deny wins, groups and domains expand.
struct ScopeTests {
    typealias S = Sample

    @Test func principalsCoverUsersByNameGroupOrDomain() {
        let directory = S.directory()
        #expect(directory.covers(.user(S.alice), user: S.alice))
        #expect(!directory.covers(.user(S.alice), user: S.bob))
        #expect(directory.covers(.group("team"), user: S.bob))
        #expect(!directory.covers(.group("team"), user: S.carol))
        #expect(!directory.covers(.group("unknown"), user: S.alice))
        #expect(directory.covers(.domain("example.com"), user: S.carol))
        #expect(!directory.covers(.domain("example.com"), user: S.dave))
        #expect(!directory.covers(.domain("sub.example.com"), user: S.alice))
        #expect(!directory.covers(.domain("example.com"), user: "example.com"))
        #expect(directory.covers([.user(S.dave), .group("contractors")], user: S.carol))
        #expect(!directory.covers([], user: S.carol))
        #expect(directory.groups(of: S.bob) == ["team", "mixed"])
        #expect(directory.groups(of: S.admin).isEmpty)
    }

    @Test func denyBeatsAllowThroughAGroup() throws {
        var directory = S.directory()
        let eng = Category(name: "Eng", allowed: [.user(S.alice), .domain("example.com")], denied: [.group("team")])
        directory.categories["eng"] = eng
        #expect(!directory.isInScope(user: S.alice, of: eng))  // named explicitly, yet denied through a group
        #expect(!directory.isInScope(user: S.bob, of: eng))
        #expect(directory.isInScope(user: S.carol, of: eng))
        #expect(!directory.isInScope(.user(S.alice), of: eng))
        #expect(!directory.isInScope(.group("team"), of: eng))
        let error = expectRuleError(.outOfScope) { () throws(ChatRuleError) in
            _ = try directory.createRoom(S.room(members: [.user(S.alice)]), by: .system)
        }
        #expect(error?.message == "alice@example.com is not in the scope of category Eng (AllowedMembers − DeniedMembers).")
    }

    @Test func denyBeatsAllowThroughADomain() {
        let directory = S.directory()
        let eng = Category(name: "Eng", allowed: [.user(S.dave), .group("mixed")], denied: [.domain("other.org")])
        #expect(!directory.isInScope(user: S.dave, of: eng))
        #expect(directory.isInScope(user: S.bob, of: eng))
        #expect(directory.isInScope(.group("mixed"), of: eng))  // one of its members is still in scope
        #expect(!directory.isInScope(.domain("other.org"), of: eng))
    }

    @Test func domainPrincipalsAreInScopeOnlyWhenAllowedByName() {
        let directory = S.directory()
        let eng = Category(name: "Eng", allowed: [.domain("example.com"), .user(S.dave)], denied: [.domain("bad.com")])
        #expect(directory.isInScope(.domain("example.com"), of: eng))
        #expect(!directory.isInScope(.domain("other.org"), of: eng))  // one user of it is allowed, not the domain
        let denied = Category(name: "D", allowed: [.domain("example.com")], denied: [.domain("example.com")])
        #expect(!directory.isInScope(.domain("example.com"), of: denied))
        #expect(!directory.isInScope(user: S.alice, of: denied))
    }

    @Test func groupPrincipalsFollowTheDocumentedRule() {
        var directory = S.directory()
        directory.groups["empty"] = []
        let byDomain = Category(name: "A", allowed: [.domain("example.com")])
        #expect(directory.isInScope(.group("team"), of: byDomain))  // every member is on the allowed domain
        #expect(!directory.isInScope(.group("mixed"), of: byDomain))  // dave is not
        #expect(!directory.isInScope(.group("empty"), of: byDomain))  // an empty group must be allowed by name
        #expect(!directory.isInScope(.group("unknown"), of: byDomain))

        let byName = Category(name: "B", allowed: [.group("mixed"), .group("empty")])
        #expect(directory.isInScope(.group("mixed"), of: byName))
        #expect(directory.isInScope(.group("empty"), of: byName))
        #expect(directory.isInScope(user: S.dave, of: byName))

        let groupDenied = Category(name: "C", allowed: [.domain("example.com")], denied: [.group("team")])
        #expect(!directory.isInScope(.group("team"), of: groupDenied))

        let everyMemberDenied = Category(name: "D", allowed: [.group("team")], denied: [.user(S.alice), .user(S.bob)])
        #expect(!directory.isInScope(.group("team"), of: everyMemberDenied))
        let oneMemberDenied = Category(name: "E", allowed: [.group("team")], denied: [.user(S.alice)])
        #expect(directory.isInScope(.group("team"), of: oneMemberDenied))
        #expect(!directory.isInScope(user: S.alice, of: oneMemberDenied))  // still no access for alice herself
    }

    @Test func domainMemberListsExpandOverKnownUsers() throws {
        var directory = S.directory()
        directory.categories["eng"]?.denied = [.user(S.carol)]
        let room = try directory.createRoom(
            S.room(members: [.domain("example.com"), .group("team")]), by: .system)
        let users = directory.memberUsers(of: room, knownUsers: [S.carol, S.dave, S.admin])
        #expect(users == [S.alice, S.bob, S.admin])  // carol is denied, dave is off the domain
        #expect(directory.access(of: S.admin, to: room).isMember)
        #expect(!directory.access(of: S.dave, to: room).canSeeDetails)
        let byGroupOnly = try directory.createRoom(S.room("g", name: "G", members: [.group("team")]), by: .system)
        #expect(directory.memberUsers(of: byGroupOnly, knownUsers: []) == [S.alice, S.bob])
    }

    @Test func policyOffUsersSeeAndJoinNothing() throws {
        var directory = S.directory()
        let room = try directory.createRoom(S.room(privacy: .open), by: .system)
        #expect(directory.visibleRooms(for: S.alice).map(\.localpart) == ["general"])
        try directory.setPolicy(user: nil, enabled: false, by: .system)
        #expect(directory.visibleRooms(for: S.alice).isEmpty)
        #expect(directory.access(of: S.alice, to: room) == .none)
        try directory.setPolicy(user: S.alice, enabled: true, by: .user(S.admin))
        #expect(directory.access(of: S.alice, to: room).canJoin)
        #expect(!directory.access(of: S.bob, to: room).canJoin)
        try directory.setPolicy(user: S.alice, enabled: nil, by: .system)  // clears the override
        #expect(!directory.isEnabled(user: S.alice))
        try directory.setPolicy(user: nil, enabled: nil, by: .system)  // back to the default
        #expect(directory.isEnabled(user: S.alice))
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.setPolicy(user: nil, enabled: false, by: .user(S.alice)) }
        expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.setPolicy(user: "not a jid", enabled: false, by: .system) }
    }

    @Test func visibleRoomsAreSortedByName() throws {
        var directory = S.directory()
        for (localpart, name, privacy) in [("c", "charlie", RoomPrivacy.closed), ("a", "Alpha", .open), ("s", "Bravo", .secret)] {
            _ = try directory.createRoom(S.room(localpart, name: name, privacy: privacy), by: .system)
        }
        #expect(directory.visibleRooms(for: S.bob).map(\.name) == ["Alpha", "charlie"])
        _ = try directory.updateRoom("s", by: .system) { $0.members = [.user(S.bob)] }
        #expect(directory.visibleRooms(for: S.bob).map(\.name) == ["Alpha", "Bravo", "charlie"])
        #expect(directory.visibleRooms(for: S.dave).isEmpty)
    }

    @Test func lookupsAreCaseInsensitiveAndInvitationsCombine() throws {
        var directory = S.directory()
        let room = try directory.createRoom(S.room(category: "ENG"), by: .system)
        #expect(room.category == "Eng")
        #expect(directory.category(named: "eNg")?.name == "Eng")
        #expect(directory.room(named: "GENERAL")?.localpart == "general")
        #expect(directory.room(named: "nothing") == nil)
        #expect(directory.effectiveInvitations(of: room))
        _ = try directory.updateRoom("general", by: .system) { $0.invitations = .off }
        #expect(try !directory.effectiveInvitations(of: #require(directory.rooms["general"])))
        _ = try directory.updateRoom("general", by: .system) { $0.invitations = .inherit }
        _ = try directory.updateCategory(named: "eng", by: .system) { $0.invitations = false }
        #expect(try !directory.effectiveInvitations(of: #require(directory.rooms["general"])))
    }
}
