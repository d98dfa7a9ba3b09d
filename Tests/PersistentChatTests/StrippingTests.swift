import Testing
@testable import PersistentChat

/// Roles that fall out of scope or stop being valid are stripped and reported (design §2–3).
struct StrippingTests {
    typealias S = Sample

    /// Eng allows example.com; "general" has alice and the team as members, bob as manager,
    /// alice as presenter (Auditorium).
    func world() throws -> ChatDirectory {
        var directory = S.directory()
        directory.categories["eng"]?.creators = [.user(S.alice), .group("team")]
        _ = try directory.createRoom(S.room(type: .auditorium, members: [.user(S.alice), .group("team"), .user(S.carol)],
                                            managers: [.user(S.bob)], presenters: [.user(S.alice)]), by: .system)
        _ = try directory.createRoom(S.room("other", name: "Other", members: [.user(S.carol)]), by: .system)
        return directory
    }

    @Test func scopeShrinkPurgesRolesAndCreators() throws {
        var directory = try world()
        let report = try directory.updateCategory(named: "Eng", by: .user(S.admin)) {
            $0.denied = [.user(S.alice)]
        }
        #expect(report.removed["general"] == [StrippedRole(role: .member, principal: .user(S.alice)),
                                              StrippedRole(role: .presenter, principal: .user(S.alice))])
        #expect(report.removed["other"] == nil)
        #expect(report.removedCreators["Eng"] == [.user(S.alice)])
        #expect(Set(report.removed.keys) == ["general"])
        #expect(!report.isEmpty)
        let room = try #require(directory.rooms["general"])
        #expect(room.members == [.group("team"), .user(S.carol)])  // the team keeps bob in scope
        #expect(room.presenters.isEmpty)
        #expect(directory.categories["eng"]?.creators == [.group("team")])
        #expect(!directory.access(of: S.alice, to: room).canSeeDetails)
    }

    @Test func scopeShrinkOfAWholeDomainPurgesEverything() throws {
        var directory = try world()
        let report = try directory.updateCategory(named: "eng", by: .system) { $0.allowed = [.user(S.carol)] }
        #expect(report.removed["general"]?.count == 4)  // alice, team, alice as presenter, bob as manager
        #expect(report.removed["other"] == nil)
        #expect(directory.rooms["general"]?.members == [.user(S.carol)])
        #expect(directory.rooms["general"]?.managers == [])
        #expect(directory.categories["eng"]?.creators == [])
    }

    @Test func growingTheScopeStripsNothing() throws {
        var directory = try world()
        let report = try directory.updateCategory(named: "Eng", by: .system) { $0.allowed.append(.domain("other.org")) }
        #expect(report.isEmpty)
        #expect(report == RoleStripping())
    }

    @Test func roomMovePurgesRolesOutOfTheNewScope() throws {
        var directory = try world()
        try directory.createCategory(Category(name: "Team Only", allowed: [.group("team")], creators: [.user(S.bob)]), by: .system)
        let report = try directory.updateRoom("general", by: .user(S.bob)) { $0.category = "team only" }
        #expect(report.removed["general"] == [StrippedRole(role: .member, principal: .user(S.carol))])
        let room = try #require(directory.rooms["general"])
        #expect(room.category == "Team Only")
        #expect(room.members == [.user(S.alice), .group("team")])
        #expect(room.managers == [.user(S.bob)])
        #expect(room.presenters == [.user(S.alice)])
        #expect(!directory.access(of: S.carol, to: room).canSeeDetails)
    }

    @Test func removingUsersFromAGroupPurgesRolesTheyHeldThroughIt() throws {
        var directory = S.directory()
        directory.categories["eng"] = Category(name: "Eng", allowed: [.group("team"), .group("mixed")])
        _ = try directory.createRoom(S.room(members: [.user(S.alice), .user(S.bob), .group("team")]), by: .system)
        let report = try directory.removeFromGroup("Team", users: [S.alice], by: .system)
        #expect(report.removed["general"] == [StrippedRole(role: .member, principal: .user(S.alice))])
        #expect(directory.groups["team"] == [S.bob])
        #expect(directory.rooms["general"]?.members == [.user(S.bob), .group("team")])
        // Emptying a group allowed by name keeps the group itself in scope.
        let emptied = try directory.removeFromGroup("team", users: [S.bob], by: .system)
        #expect(emptied.removed["general"] == nil)  // bob is still allowed through "mixed"
    }

    @Test func groupRemovalPurgesEveryMention() throws {
        var directory = S.directory()
        directory.categories["eng"] = Category(name: "Eng", allowed: [.group("team"), .user(S.carol)],
                                               denied: [.group("mixed")], creators: [.group("team"), .user(S.alice)])
        _ = try directory.createRoom(S.room(members: [.group("team"), .user(S.alice), .user(S.carol)],
                                            managers: [.group("team")]), by: .system)
        let report = try directory.removeGroup("team", by: .user(S.admin))
        #expect(directory.groups["team"] == nil)
        #expect(report.removed["general"] == [StrippedRole(role: .member, principal: .group("team")),
                                              StrippedRole(role: .manager, principal: .group("team")),
                                              StrippedRole(role: .member, principal: .user(S.alice))])
        #expect(report.removedCreators["Eng"] == [.group("team"), .user(S.alice)])
        let category = try #require(directory.categories["eng"])
        #expect(category.allowed == [.user(S.carol)])
        #expect(category.denied == [.group("mixed")])
        #expect(category.creators.isEmpty)
        #expect(directory.rooms["general"]?.members == [.user(S.carol)])
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.removeGroup("team", by: .system) }
    }

    @Test func changingToOpenStripsMembersAndToNormalStripsPresenters() throws {
        var directory = try world()
        let toOpen = try directory.updateRoom("general", by: .user(S.bob)) { $0.privacy = .open }
        #expect(toOpen.removed["general"] == [StrippedRole(role: .member, principal: .user(S.alice)),
                                              StrippedRole(role: .member, principal: .group("team")),
                                              StrippedRole(role: .member, principal: .user(S.carol))])
        #expect(directory.rooms["general"]?.presenters == [.user(S.alice)])  // in scope: enough in an Open room
        #expect(try directory.access(of: S.alice, to: #require(directory.rooms["general"])).canPost)
        #expect(try !directory.access(of: S.bob, to: #require(directory.rooms["general"])).canPost)

        let toNormal = try directory.updateRoom("general", by: .user(S.bob)) { $0.type = .normal }
        #expect(toNormal.removed["general"] == [StrippedRole(role: .presenter, principal: .user(S.alice))])
        #expect(try directory.access(of: S.bob, to: #require(directory.rooms["general"])).canPost)
    }

    @Test func removingAMemberStripsTheirPresenterRole() throws {
        var directory = try world()
        let report = try directory.updateRoom("general", by: .user(S.bob)) { $0.members = [.user(S.carol)] }
        #expect(report.removed["general"] == [StrippedRole(role: .presenter, principal: .user(S.alice))])
        // Alice stays a presenter while the team, which contains her, is a member.
        var kept = try world()
        let none = try kept.updateRoom("general", by: .user(S.bob)) { $0.members.removeFirst() }
        #expect(none.isEmpty)
        #expect(kept.rooms["general"]?.presenters == [.user(S.alice)])
    }
}
