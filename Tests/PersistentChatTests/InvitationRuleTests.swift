import Testing
@testable import PersistentChat

/// Mediated invitations: who may invite, and when an invitation adds a member (§7.8).
struct InvitationRuleTests {
    func world(privacy: RoomPrivacy = .closed, invitations: RoomInvitations = .inherit) throws -> ChatDirectory {
        var directory = Sample.directory()  // Eng: invitations on, allows example.com
        var room = Sample.room(privacy: privacy, members: privacy == .open ? [] : [.user(Sample.alice), .user(Sample.bob)],
                               managers: [.user(Sample.alice)])
        room.invitations = invitations
        _ = try directory.createRoom(room, by: .system)
        return directory
    }

    @Test func membersAndManagersInvite() throws {
        let directory = try world()
        let room = try #require(directory.rooms["general"])
        try directory.checkMayInvite(Sample.alice, to: room)
        try directory.checkMayInvite(Sample.bob, to: room)
        try directory.checkMayInvite(Sample.admin, to: room)
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.checkMayInvite(Sample.carol, to: room) }
        expectRuleError(.notFound) { () throws(ChatRuleError) in try directory.checkMayInvite(Sample.dave, to: room) }
    }

    @Test func anyoneWhoMayJoinAnOpenRoomInvites() throws {
        let directory = try world(privacy: .open)
        try directory.checkMayInvite(Sample.carol, to: try #require(directory.rooms["general"]))
    }

    @Test func nobodyInvitesWhereInvitationsAreOff() throws {
        let directory = try world(invitations: .off)
        let room = try #require(directory.rooms["general"])
        expectRuleError(.switchedOff) { () throws(ChatRuleError) in try directory.checkMayInvite(Sample.alice, to: room) }
    }

    @Test func aManagersInvitationAddsAMemberInScope() throws {
        var directory = try world()
        let room = try #require(directory.rooms["general"])
        #expect(directory.invitationAddsMember(Sample.carol, to: room, from: Sample.alice))
        #expect(!directory.invitationAddsMember(Sample.carol, to: room, from: Sample.bob))
        #expect(!directory.invitationAddsMember(Sample.bob, to: room, from: Sample.alice))
        try directory.addInvitee(Sample.carol, to: "general", by: .user(Sample.alice))
        #expect(directory.rooms["general"]?.members.contains(.user(Sample.carol)) == true)
        expectRuleError(.outOfScope) { () throws(ChatRuleError) in try directory.addInvitee(Sample.dave, to: "general", by: .user(Sample.alice)) }
        let open = try world(privacy: .open)
        #expect(!open.invitationAddsMember(Sample.carol, to: try #require(open.rooms["general"]), from: Sample.alice))
    }
}
