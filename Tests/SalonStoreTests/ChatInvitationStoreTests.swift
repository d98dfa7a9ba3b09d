import PersistentChat
import SalonTestSupport
import Testing
@testable import SalonStore

/// Runs once per backend (`TestBackend`).
@Suite struct ChatInvitationStoreTests {
    @Test(arguments: TestBackend.all) func anInvitationIsPendingUntilTheUserJoins(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, _ async throws in
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
    }

    @Test(arguments: TestBackend.all) func invitationsNeedAStoredRoom(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, _ async throws in
            let chat = database.chat
            #expect(await storeErrorKind { try await chat.addInvitation(user: "bob@example.com", room: "nowhere") }
                    == .roomNotFound)
            #expect(await storeErrorKind { try await chat.recordJoin(user: "bob@example.com", room: "nowhere") }
                    == .roomNotFound)
            #expect(await storeErrorKind { try await chat.addInvitation(user: "", room: "lobby") } == .invalidArgument)
            #expect(try await chat.pendingInvitations(user: "bob@example.com") == [])
        }
    }

    /// Values no backend can store are refused alike; lookups of them find nothing.
    @Test(arguments: TestBackend.all) func hostileValuesAreRefusedOrFindNothing(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, _ async throws in
            let chat = database.chat
            #expect(await storeErrorKind { try await chat.addInvitation(user: "bob\u{0}@example.com", room: "lobby") }
                    == .invalidArgument)
            #expect(await storeErrorKind { try await chat.recordJoin(user: "bob@example.com", room: "lob\u{0}by") }
                    == .invalidArgument)
            #expect(await storeErrorKind { try await chat.addInvitation(user: String(repeating: "b", count: 3000), room: "lobby") }
                    == .invalidArgument)
            #expect(await storeErrorKind { try await chat.bumpRevision(contentOf: "lob\u{0}by") } == .invalidArgument)
            #expect(try await chat.pendingInvitations(user: "bob\u{0}@example.com") == [])
            #expect(try await chat.hasJoined(user: "bob\u{0}@example.com", room: "lobby") == false)
            #expect(try await chat.joinedRooms(user: "bob\u{0}@example.com") == [])
            #expect(try await chat.roomVCard(room: "lob\u{0}by") == nil)
            #expect(await storeErrorKind { try await chat.setRoomVCard(room: "lob\u{0}by", nil) } == .roomNotFound)
            #expect(await storeErrorKind {
                try await chat.setRoomVCard(room: "lobby", VCardStore.Entry(xml: "<vCard>\u{0}</vCard>", photoHash: nil))
            } == .invalidArgument)
        }
    }

    @Test(arguments: TestBackend.all) func aRecreatedRoomStartsWithoutInvitationsOrJoins(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
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

    /// A change of a room's content (no directory change) bumps the revision and names the
    /// room to every node that polls.
    @Test(arguments: TestBackend.all) func contentChangesReachOtherNodes(backend: TestBackend) async throws {
        try await withTwoNodes(backend) { server, cli async throws in
            try await cli.chat.save(try richDirectory(), previous: ChatDirectory())
            let seen = try await server.chat.revision()
            let bumped = try await cli.chat.bumpRevision(contentOf: "lobby")
            #expect(bumped == seen + 1)
            let changes = try await server.chat.loadChanges(since: seen)
            #expect(changes.revision == bumped)
            #expect(changes.contentChanged == ["lobby"])
            #expect(changes.directory == (try richDirectory()))
            #expect(try await server.chat.loadChanges(since: bumped).contentChanged == [])
        }
    }
}
