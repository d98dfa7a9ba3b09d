import Testing
@testable import PersistentChat

/// Which refusal a joiner gets, and who must leave after a change of the directory.
struct AttendanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var privacy: RoomPrivacy, user: String, refusal: ChatRuleError.Kind?, departure: Departure?
        var testDescription: String { "\(privacy) room, \(user)" }
    }

    // Bob is a member, Carol is banned, Dave is out of scope, Alice is in scope only.
    static let cases: [Case] = [
        Case(privacy: .closed, user: Sample.bob, refusal: nil, departure: nil),
        Case(privacy: .closed, user: Sample.alice, refusal: .membersOnly, departure: .lostAccess),
        Case(privacy: .closed, user: Sample.carol, refusal: .forbidden, departure: .banned),
        Case(privacy: .closed, user: Sample.dave, refusal: .notFound, departure: .lostAccess),
        Case(privacy: .secret, user: Sample.alice, refusal: .notFound, departure: .lostAccess),
        // A Secret room does not tell the banned it exists.
        Case(privacy: .secret, user: Sample.carol, refusal: .notFound, departure: .banned),
        Case(privacy: .open, user: Sample.alice, refusal: nil, departure: nil),
        Case(privacy: .open, user: Sample.carol, refusal: .forbidden, departure: .banned),
    ]

    @Test(arguments: cases)
    func attendance(_ c: Case) throws {
        var directory = Sample.directory()
        var room = Sample.room(privacy: c.privacy, members: c.privacy == .open ? [] : [.user(Sample.bob)])
        room.banned = [.user(Sample.carol)]
        _ = try directory.createRoom(room, by: .system)
        let stored = try #require(directory.rooms["general"])
        let access = directory.access(of: c.user, to: stored)
        #expect(access.canJoin == (c.refusal == nil))
        if let refusal = c.refusal {
            #expect(directory.joinRefusal(of: c.user, to: stored, access: access).kind == refusal)
        }
        #expect(directory.departure(of: c.user, from: stored, access: access) == c.departure)
    }

    @Test func departuresSayWhy() {
        #expect(Departure.banned.reason == "You were banned from this room.")
        #expect(Departure.lostAccess.reason == "You no longer have access to this room.")
    }
}
