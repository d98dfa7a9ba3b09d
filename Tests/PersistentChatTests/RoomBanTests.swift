import Testing
@testable import PersistentChat

/// Room bans (design §3 "Banned"): deny wins like the category's DeniedMembers, managers set them
/// but not against themselves, and the outcast list shows both levels.
struct RoomBanTests {
    func world(banned: [Principal] = []) throws -> ChatDirectory {
        var directory = Sample.directory()
        var room = Sample.room(members: [.user(Sample.alice), .group("team"), .user(Sample.carol)],
                               managers: [.user(Sample.alice), .user(Sample.bob)])
        room.banned = banned
        _ = try directory.createRoom(room, by: .system)
        return directory
    }

    @Test(arguments: [Principal.user(Sample.carol), .group("contractors"), .domain("example.com")])
    func banWinsOverMembership(_ ban: Principal) throws {
        let directory = try world(banned: [ban])
        let room = try #require(directory.rooms["general"])
        let access = directory.access(of: Sample.carol, to: room)
        #expect(directory.isBanned(Sample.carol, from: room))
        #expect(!access.canJoin && !access.canPost && !access.canRead && !access.isMember && !access.canFind)
    }

    @Test func bannedManagerLosesTheRoom() throws {
        let directory = try world(banned: [.user(Sample.bob)])
        let room = try #require(directory.rooms["general"])
        #expect(!directory.access(of: Sample.bob, to: room).canManage)
        #expect(directory.access(of: Sample.alice, to: room).canManage)
        // Like a category denial, the ban hides the room's details: the refusal says "not found".
        expectRuleError(.notFound) { () throws(ChatRuleError) in try directory.checkMayModerate(Sample.bob, in: room) }
    }

    @Test func managersBanOthersButNotThemselves() throws {
        var directory = try world()
        _ = try directory.updateRoom("general", by: .user(Sample.alice)) { $0.banned.append(.user(Sample.dave)) }
        #expect(directory.rooms["general"]?.banned == [.user(Sample.dave)])
        expectRuleError(.forbidden) { () throws(ChatRuleError) in
            try directory.updateRoom("general", by: .user(Sample.alice)) { $0.banned.append(.group("team")) }
        }
        // A non-manager may not ban at all; an administrator may ban a manager.
        expectRuleError(.forbidden) { () throws(ChatRuleError) in
            try directory.updateRoom("general", by: .user(Sample.carol)) { $0.banned.append(.user(Sample.bob)) }
        }
        _ = try directory.updateRoom("general", by: .user(Sample.admin)) { $0.banned.append(.user(Sample.bob)) }
        #expect(directory.rooms["general"]?.banned == [.user(Sample.dave), .user(Sample.bob)])
    }

    @Test func unknownGroupsCannotBeBanned() throws {
        var directory = try world()
        expectRuleError(.notFound) { () throws(ChatRuleError) in
            try directory.updateRoom("general", by: .user(Sample.alice)) { $0.banned.append(.group("nobody")) }
        }
    }

    @Test func outcastListShowsCategoryThenRoom() throws {
        var directory = try world(banned: [.user(Sample.dave), .group("mixed")])
        directory.categories["eng"]?.denied = [.group("mixed")]
        let room = try #require(directory.rooms["general"])
        #expect(directory.outcasts(of: room) == [.group("mixed"), .user(Sample.dave)])
    }

    @Test func removingAGroupLiftsItsBan() throws {
        var directory = try world(banned: [.group("contractors")])
        _ = try directory.removeGroup("contractors", by: .system)
        #expect(directory.rooms["general"]?.banned == [])
    }
}
