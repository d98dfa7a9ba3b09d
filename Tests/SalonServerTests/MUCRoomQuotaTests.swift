import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// MaxRoomsPerCreator over the wire: creation by join and by the room-create command.
@Suite("Rooms per Creator over the wire")
struct MUCRoomQuotaTests {
    func setUp(_ server: TestServer, limit: Int) async throws {
        for name in ["alice", "root"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(creators: [server.user("alice")]), by: .system)
            try d.addAdministrator(server.user("root"), by: .system)
            try d.updateSettings([(.maxRoomsPerCreator, "\(limit)")], by: .system)
        }
    }

    func text(_ error: XMLElement) -> String {
        error.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text ?? ""
    }

    @Test("A Creator's creation by join beyond MaxRoomsPerCreator gets not-allowed naming the limit; nothing is stored")
    func byJoin() async throws {
        try await withServer { server async throws in
            try await setUp(server, limit: 2)
            let alice = try await server.online("alice")
            for localpart in ["one", "two"] {
                #expect(try await alice.createRoomByJoining(localpart, name: localpart.capitalized)[attribute: "type"] == "result")
            }
            let refused = try await alice.join("three", as: "Alice")
            #expect(errorCondition(refused) == "not-allowed")
            #expect(text(refused).contains("MaxRoomsPerCreator (2)"), "\(text(refused))")
            let stored = try await server.database.chat.loadDirectory()
            #expect(stored.rooms.keys.sorted() == ["one", "two"])
            #expect(stored.rooms["one"]?.createdBy == server.user("alice"))

            // An administrator is not counted, and raising the limit lets the Creator go on.
            let root = try await server.online("root")
            for localpart in ["four", "five", "six"] {
                #expect(try await root.createRoomByJoining(localpart, name: localpart.capitalized)[attribute: "type"] == "result")
            }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.updateSettings([(.maxRoomsPerCreator, "3")], by: .system)
            }
            #expect(try await alice.createRoomByJoining("three", name: "Three")[attribute: "type"] == "result")
        }
    }

    @Test("The room-create command refuses a Creator beyond the limit with the rule's text")
    func byCommand() async throws {
        try await withServer { server async throws in
            try await setUp(server, limit: 1)
            let alice = try await server.online("alice")
            let first = try await alice.runCommand("room-create", [["name": ["First"], "category": ["Eng"], "privacy": ["open"]]])
            #expect(first.succeeded)
            let second = try await alice.runCommand("room-create", [["name": ["Second"], "category": ["Eng"], "privacy": ["open"]]])
            #expect(second.note?.type == "error")
            #expect(second.note?.text.contains("MaxRoomsPerCreator (1)") == true, "\(String(describing: second.note))")
            #expect(server.muc.directory.rooms.values.map(\.name) == ["First"])
        }
    }
}
