import Testing
@testable import PersistentChat

/// Voice (XEP-0045 §8.3–8.6): mutes in Normal rooms, presenters in Auditorium rooms.
struct VoiceRuleTests {
    func world(type: RoomType, privacy: RoomPrivacy = .closed, presenters: [Principal] = []) throws -> ChatDirectory {
        var directory = Sample.directory()
        _ = try directory.createRoom(Sample.room(type: type, privacy: privacy,
                                                 members: privacy == .open ? [] : [.user(Sample.alice), .user(Sample.bob)],
                                                 managers: [.user(Sample.alice)], presenters: presenters), by: .system)
        return directory
    }

    @Test func managersMuteAndGiveVoiceBackInNormalRooms() throws {
        let directory = try world(type: .normal)
        let room = try #require(directory.rooms["general"])
        try directory.checkMayChangeVoice(.revoke, of: Sample.bob, in: room, by: Sample.alice)
        try directory.checkMayChangeVoice(.grant, of: Sample.bob, in: room, by: Sample.alice)
        try directory.checkMayChangeVoice(.revoke, of: Sample.bob, in: room, by: Sample.admin)
        // Not a manager; a manager cannot be muted; a non-member of a Closed room gets no voice.
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.checkMayChangeVoice(.revoke, of: Sample.alice, in: room, by: Sample.bob) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.checkMayChangeVoice(.revoke, of: Sample.alice, in: room, by: Sample.alice) }
        expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.checkMayChangeVoice(.grant, of: Sample.carol, in: room, by: Sample.alice) }
    }

    @Test func voiceInAnAuditoriumIsPresenting() throws {
        var directory = try world(type: .auditorium)
        _ = try directory.changePresenter(.grant, of: Sample.bob, in: "general", by: .user(Sample.alice))
        #expect(directory.rooms["general"]?.presenters == [.user(Sample.bob)])
        #expect(directory.access(of: Sample.bob, to: directory.rooms["general"]!).canPost)
        _ = try directory.changePresenter(.revoke, of: Sample.bob, in: "general", by: .user(Sample.alice))
        #expect(directory.rooms["general"]?.presenters == [])
        // Presenter rules: a presenter of a Closed room must be a member.
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            try directory.changePresenter(.grant, of: Sample.carol, in: "general", by: .user(Sample.alice))
        }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in
            try directory.changePresenter(.grant, of: Sample.bob, in: "general", by: .user(Sample.bob))
        }
    }

    @Test func presentingThroughAGroupIsNotRevokedOneByOne() throws {
        var directory = try world(type: .auditorium, privacy: .open, presenters: [.group("team")])
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            try directory.changePresenter(.revoke, of: Sample.bob, in: "general", by: .user(Sample.alice))
        }
        #expect(directory.rooms["general"]?.presenters == [.group("team")])
    }

    @Test func normalRoomsHaveNoPresenters() throws {
        var directory = try world(type: .normal)
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            try directory.changePresenter(.grant, of: Sample.bob, in: "general", by: .user(Sample.alice))
        }
    }
}
