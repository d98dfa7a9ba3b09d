import Testing
@testable import PersistentChat

/// Who may post, talk privately and change the subject, with the refusal each gets.
struct MessageRuleTests {
    struct PostCase: Sendable, CustomTestStringConvertible {
        var type: RoomType, user: String, silenced: Bool, refusal: String?
        var testDescription: String { "\(type) room, \(user)\(silenced ? " (muted)" : ""): \(refusal ?? "posts")" }
    }

    // An Open room: Alice manages it (and presents in an auditorium), Bob and Carol are in scope, Dave is not.
    static let postCases: [PostCase] = [
        PostCase(type: .normal, user: Sample.alice, silenced: false, refusal: nil),
        PostCase(type: .normal, user: Sample.carol, silenced: false, refusal: nil),
        PostCase(type: .normal, user: Sample.carol, silenced: true, refusal: "You may not post in this room."),
        PostCase(type: .normal, user: Sample.dave, silenced: false, refusal: "You may not post in this room."),
        PostCase(type: .auditorium, user: Sample.alice, silenced: false, refusal: nil),
        PostCase(type: .auditorium, user: Sample.bob, silenced: false, refusal: "Only presenters post in an auditorium."),
        PostCase(type: .auditorium, user: Sample.dave, silenced: false, refusal: "Only presenters post in an auditorium."),
    ]

    static func world(_ type: RoomType) throws -> (ChatDirectory, Room) {
        var directory = Sample.directory()
        let room = Sample.room(type: type, privacy: .open, managers: [.user(Sample.alice)],
                               presenters: type == .auditorium ? [.user(Sample.alice)] : [])
        _ = try directory.createRoom(room, by: .system)
        return (directory, try #require(directory.rooms["general"]))
    }

    @Test(arguments: postCases)
    func post(_ c: PostCase) throws {
        let (directory, room) = try Self.world(c.type)
        let access = directory.access(of: c.user, to: room)
        if let refusal = c.refusal {
            let error = expectRuleError(.forbidden) { () throws(ChatRuleError) in try access.checkMayPost(in: room, silenced: c.silenced) }
            #expect(error?.message == refusal)
        } else {
            try access.checkMayPost(in: room, silenced: c.silenced)
        }
    }

    @Test(arguments: [(RoomType.normal, true), (.auditorium, false)])
    func privateMessages(_ type: RoomType, allowed: Bool) throws {
        let (_, room) = try Self.world(type)
        if allowed {
            try room.checkAllowsPrivateMessages()
        } else {
            let error = expectRuleError(.unavailable) { () throws(ChatRuleError) in try room.checkAllowsPrivateMessages() }
            #expect(error?.message == "Private messages are not allowed in an auditorium.")
        }
    }

    @Test(arguments: [(Sample.alice, true), (Sample.admin, true), (Sample.bob, false), (Sample.carol, false), (Sample.dave, false)])
    func subject(_ user: String, allowed: Bool) throws {
        let (directory, room) = try Self.world(.normal)
        let access = directory.access(of: user, to: room)
        if allowed {
            try access.checkMayChangeSubject()
        } else {
            let error = expectRuleError(.forbidden) { () throws(ChatRuleError) in try access.checkMayChangeSubject() }
            #expect(error?.message == "Only the room's managers change its subject.")
        }
        #expect(!FixedRoomRules.occupantsChangeSubject)
    }

    @Test func aMutedOccupantOfANormalRoomListens() throws {
        let (directory, room) = try Self.world(.normal)
        #expect(directory.access(of: Sample.carol, to: room).role(in: room) == .participant)
        #expect(directory.access(of: Sample.carol, to: room).role(in: room, silenced: true) == .visitor)
        #expect(directory.access(of: Sample.alice, to: room).role(in: room) == .moderator)
    }
}
