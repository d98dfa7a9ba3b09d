import Testing
@testable import PersistentChat

/// A room's creator keeps it: manager and (Closed/Secret) member, and never shut out by joining.
struct RoomCreationTests {
    typealias S = Sample

    @Test(arguments: [RoomPrivacy.closed, .secret])
    func aCreatorBecomesManagerAndMember(_ privacy: RoomPrivacy) throws {
        var directory = S.directory()
        let room = try directory.createRoom(S.room(privacy: privacy), by: .user(S.alice))
        #expect(room.managers == [.user(S.alice)])
        #expect(room.members == [.user(S.alice)])
        #expect(directory.access(of: S.alice, to: room).canJoin)
    }

    @Test func anOpenRoomHasNoMemberListSoItsCreatorIsOnlyManager() throws {
        var directory = S.directory()
        let room = try directory.createRoom(S.room(privacy: .open), by: .user(S.alice))
        #expect(room.members.isEmpty && room.managers == [.user(S.alice)])
    }

    @Test func aCreatorAlreadyCoveredIsNotAddedTwice() throws {
        var directory = S.directory()
        let room = try directory.createRoom(S.room(members: [.group("team")], managers: [.domain("example.com")]), by: .user(S.alice))
        #expect(room.members == [.group("team")])
        #expect(room.managers == [.domain("example.com")])
    }

    @Test func anAdministratorInScopeCreatesByJoiningAndStays() throws {
        var directory = S.directory()
        let room = try directory.createRoomByJoining(S.room(), by: S.admin)
        #expect(directory.access(of: S.admin, to: room).canJoin)
    }

    @Test(arguments: [RoomPrivacy.open, .closed])
    func creationByJoiningThatWouldShutTheCreatorOutIsRefusedAndChangesNothing(_ privacy: RoomPrivacy) throws {
        var directory = S.directory()
        try directory.addAdministrator(S.dave, by: .system)
        let before = directory
        let error = expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.createRoomByJoining(S.room(privacy: privacy), by: S.dave)
        }
        #expect(error?.message.contains("outside the scope of category Eng") == true)
        #expect(directory == before)
    }

    @Test func privacyFromTheTwoStandardQuestions() throws {
        #expect(try RoomPrivacy(membersOnly: false, listed: true) == .open)
        #expect(try RoomPrivacy(membersOnly: true, listed: true) == .closed)
        #expect(try RoomPrivacy(membersOnly: true, listed: false) == .secret)
        expectRuleError(.invalid) { () throws(ChatRuleError) in try RoomPrivacy(membersOnly: false, listed: false) }
        for privacy in RoomPrivacy.allCases {
            #expect(try RoomPrivacy(membersOnly: privacy.isMembersOnly, listed: privacy.isListed) == privacy)
        }
    }

    @Test func fixedRulesRefuseOtherValuesWithTheirText() throws {
        try FixedRoomRules.checkRealJIDs(visibleToAll: true)
        expectRuleError(.invalid) { () throws(ChatRuleError) in try FixedRoomRules.checkRealJIDs(visibleToAll: false) }
        try FixedRoomRules.checkSubjectChange(byOccupants: false)
        expectRuleError(.invalid) { () throws(ChatRuleError) in try FixedRoomRules.checkSubjectChange(byOccupants: true) }
        let silent = Category(name: "Quiet", chatHistory: false)
        try FixedRoomRules.checkHistory(false, in: silent)
        let error = expectRuleError(.invalid) { () throws(ChatRuleError) in try FixedRoomRules.checkHistory(true, in: silent) }
        #expect(error?.message.contains("category Quiet") == true)
    }

    @Test func aRoomCannotSwitchOnInvitationsItsCategorySwitchedOff() throws {
        let on = Category(name: "On", invitations: true)
        let off = Category(name: "Off", invitations: false)
        #expect(try RoomInvitations.allowing(true, in: on) == .inherit)
        #expect(try RoomInvitations.allowing(false, in: on) == .off)
        #expect(try RoomInvitations.allowing(false, in: off) == .off)
        expectRuleError(.invalid) { () throws(ChatRuleError) in try RoomInvitations.allowing(true, in: off) }
    }
}
