import Testing
@testable import PersistentChat

/// Which bookmarks go: at a change (`hasLostAccess(_:to:since:)`) and at login, when no change
/// was seen (`hasLostAccess(_:to:joinedBefore:)`).
struct LostAccessTests {
    func world() throws -> ChatDirectory {
        var directory = Sample.directory()
        _ = try directory.createRoom(Sample.room(privacy: .closed, members: [.user(Sample.alice)]), by: .system)
        return directory
    }

    @Test func aChangeTakesAwayOnlyWhatTheUserCouldJoin() throws {
        let before = try world()
        var after = before
        _ = try after.updateRoom("general", by: .system) { $0.members = [] }
        #expect(after.hasLostAccess(Sample.alice, to: "general", since: before))
        #expect(!after.hasLostAccess(Sample.bob, to: "general", since: before))
        try after.removeRoom("general", by: .system)
        #expect(after.hasLostAccess(Sample.alice, to: "general", since: before))
    }

    @Test func atLoginAMissingRoomOrOneJoinedBeforeAndNoLongerOpenIsLost() throws {
        var directory = try world()
        #expect(!directory.hasLostAccess(Sample.alice, to: "general", joinedBefore: true))
        _ = try directory.updateRoom("general", by: .system) { $0.members = [] }
        #expect(directory.hasLostAccess(Sample.alice, to: "general", joinedBefore: true))
        #expect(!directory.hasLostAccess(Sample.alice, to: "general", joinedBefore: false))
        #expect(directory.hasLostAccess(Sample.alice, to: "nowhere", joinedBefore: false))
    }
}
