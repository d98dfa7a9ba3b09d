import Testing
@testable import PersistentChat

/// MaxRoomsPerCreator: how many rooms one user may create, recorded by creator.
struct RoomQuotaTests {
    typealias S = Sample

    func directory(limit: Int) -> ChatDirectory {
        var directory = S.directory()
        directory.settings.maxRoomsPerCreator = limit
        return directory
    }

    @Test func aCreatorIsRefusedBeyondTheLimitWithATextNamingIt() throws {
        var directory = directory(limit: 2)
        _ = try directory.createRoom(S.room("r1", name: "R1"), by: .user(S.alice))
        _ = try directory.createRoom(S.room("r2", name: "R2"), by: .user(S.alice))
        #expect(directory.roomsCreated(by: S.alice) == 2)
        let error = expectRuleError(.limitReached) { () throws(ChatRuleError) in
            _ = try directory.createRoom(S.room("r3", name: "R3"), by: .user(S.alice))
        }
        #expect(error?.message.contains("MaxRoomsPerCreator (2)") == true)
        #expect(directory.rooms["r3"] == nil)
        // Removing one of their rooms makes room for another.
        try directory.removeRoom("r1", by: .user(S.admin))
        _ = try directory.createRoom(S.room("r3", name: "R3"), by: .user(S.alice))
    }

    @Test func administratorsTheSystemAndAZeroLimitAreNotCounted() throws {
        var directory = directory(limit: 1)
        for index in 1...3 {
            _ = try directory.createRoom(S.room("a\(index)", name: "A\(index)"), by: .user(S.admin))
            _ = try directory.createRoom(S.room("s\(index)", name: "S\(index)"), by: .system)
        }
        #expect(directory.roomsCreated(by: S.admin) == 3)
        #expect(directory.rooms["s1"]?.createdBy == nil)
        directory.settings.maxRoomsPerCreator = 0
        for index in 1...3 { _ = try directory.createRoom(S.room("c\(index)", name: "C\(index)"), by: .user(S.alice)) }
        #expect(directory.roomsCreated(by: S.alice) == 3)
    }

    @Test func theCreatorIsRecordedAndNeverChanges() throws {
        var directory = directory(limit: 5)
        let room = try directory.createRoom(Room(localpart: "r", name: "R", category: "Eng", createdBy: S.bob), by: .user(S.alice))
        #expect(room.createdBy == S.alice)
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.updateRoom("r", by: .system) { $0.createdBy = S.bob }
        }
        _ = try directory.updateRoom("r", by: .user(S.alice)) { $0.subject = "still hers" }
        #expect(directory.rooms["r"]?.createdBy == S.alice)
    }

    @Test(arguments: [-1, Int(UInt32.max) + 1])
    func theLimitHasARange(_ limit: Int) {
        var directory = S.directory()
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            try directory.updateSettings(by: .system) { $0.maxRoomsPerCreator = limit }
        }
    }
}
