import Foundation
import PersistentChat
import SalonAdmin
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// The service changes its directory in memory and saves only the difference, without
/// reading everything back; what it and other processes see must stay the same.
@Suite("Directory changes without a reload")
struct ChatDirectoryUpdateTests {
    func listed(_ rooms: [String]) -> [String] { rooms.map { "\($0)@\(chatDomain)" }.sorted() }

    @Test("A room created by joining is listed at once, stored, and picked up by a second server on the same database")
    func createdRoomIsSeenEverywhere() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(creators: [server.user("alice")]), by: .system)
            }
            let other = try await TestServer.start(directory: server.directory)
            do {
                let alice = try await server.online("alice")
                let bob = try await server.online("bob")
                let bobElsewhere = try await other.login("bob", resource: "elsewhere")
                for (index, localpart) in ["one", "two"].enumerated() {
                    let created = try await alice.createRoomByJoining(localpart, name: "Room \(index)")
                    #expect(created[attribute: "type"] == "result")
                }
                #expect(try await bob.listedRooms() == listed(["one", "two"]))
                let stored = try await server.database.chat.loadDirectory()
                #expect(stored == server.muc.directory)
                #expect(stored.rooms["two"]?.managers == [.user(server.user("alice"))])

                await other.muc.pollOnce()
                #expect(try await bobElsewhere.listedRooms() == listed(["one", "two"]))
            } catch {
                await other.stop()
                throw error
            }
            await other.stop()
        }
    }

    @Test("A change made by another process (the CLI) is neither lost nor hidden by the next change made here")
    func outsideChangeThenLocalChange() async throws {
        try await withServer { server async throws in
            try await server.addUser("bob")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
            }
            let bob = try await server.online("bob")
            // What `salon room create` does: a save straight to the database.
            _ = try await ChatAdministration(database: server.database).perform { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createRoom(Room(localpart: "outside", name: "Outside", category: "Eng", privacy: .open), by: .system)
            }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.createRoom(Room(localpart: "inside", name: "Inside", category: "Eng", privacy: .open), by: .system)
            }
            await server.muc.pollOnce()
            #expect(try await bob.listedRooms() == listed(["inside", "outside"]))
            #expect(try await server.database.chat.loadDirectory() == server.muc.directory)
        }
    }
}
