import PersistentChat
import Testing
@testable import SalonStore

@Suite struct ChatInvitationStoreTests {
    @Test func anInvitationIsPendingUntilTheUserJoins() async throws {
        let (database, _) = try await databaseWithRichDirectory()
        let chat = database.chat
        try await chat.addInvitation(user: "bob@example.com", room: "lobby")
        try await chat.addInvitation(user: "bob@example.com", room: "lobby")  // idempotent
        try await chat.addInvitation(user: "bob@example.com", room: "deals")
        try await chat.addInvitation(user: "carol@example.com", room: "lobby")
        #expect(try await chat.pendingInvitations(user: "bob@example.com") == ["deals", "lobby"])
        #expect(try await chat.hasJoined(user: "bob@example.com", room: "lobby") == false)

        try await chat.recordJoin(user: "bob@example.com", room: "lobby")
        try await chat.recordJoin(user: "bob@example.com", room: "lobby")  // idempotent
        #expect(try await chat.hasJoined(user: "bob@example.com", room: "lobby"))
        #expect(try await chat.hasJoined(user: "bob@example.com", room: "deals") == false)
        #expect(try await chat.hasJoined(user: "carol@example.com", room: "lobby") == false)
        #expect(try await chat.pendingInvitations(user: "bob@example.com") == ["deals"])
        #expect(try await chat.pendingInvitations(user: "carol@example.com") == ["lobby"])

        try await chat.recordJoin(user: "bob@example.com", room: "deals")
        #expect(try await chat.pendingInvitations(user: "bob@example.com") == [])
        #expect(try await chat.pendingInvitations(user: "nobody@example.com") == [])
    }

    @Test func invitationsNeedAStoredRoom() async throws {
        let (database, _) = try await databaseWithRichDirectory()
        let chat = database.chat
        #expect(await storeErrorKind { try await chat.addInvitation(user: "bob@example.com", room: "nowhere") }
                == .roomNotFound)
        #expect(await storeErrorKind { try await chat.recordJoin(user: "bob@example.com", room: "nowhere") }
                == .roomNotFound)
        #expect(await storeErrorKind { try await chat.addInvitation(user: "", room: "lobby") } == .invalidArgument)
        #expect(try await chat.pendingInvitations(user: "bob@example.com") == [])
    }

    @Test func aRecreatedRoomStartsWithoutInvitationsOrJoins() async throws {
        let (database, saved) = try await databaseWithRichDirectory()
        let chat = database.chat
        try await chat.addInvitation(user: "bob@example.com", room: "deals")
        try await chat.recordJoin(user: "carol@example.com", room: "deals")
        var removed = saved
        removed.rooms["deals"] = nil
        try await chat.save(removed, previous: saved)
        try await chat.save(saved, previous: removed)
        #expect(try await chat.pendingInvitations(user: "bob@example.com") == [])
        #expect(try await chat.hasJoined(user: "carol@example.com", room: "deals") == false)
    }
}
