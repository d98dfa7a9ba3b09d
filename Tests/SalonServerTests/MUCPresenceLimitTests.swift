import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// `limits.room_presence_*` and `limits.room_nick_change*`: one occupant cannot flood a room
/// with presence; the refused get policy-violation and the room stays consistent.
@Suite("Room presence and nickname flood limits over the wire")
struct MUCPresenceLimitTests {
    /// Small bursts, and a refill far slower than any test runs, so counts are exact.
    func configure(_ configuration: inout ServerConfiguration) {
        configuration.limits.roomPresenceBurst = 4
        configuration.limits.roomPresencePerMinute = 1
        configuration.limits.roomNickChangeBurst = 2
        configuration.limits.roomNickChangesPerMinute = 1
    }

    func setUp(_ server: TestServer) async throws -> (flooder: XMPPClient, observer: XMPPClient) {
        for name in ["alice", "bob"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(), by: .system)
            _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open), by: .system)
        }
        let alice = try await server.online("alice")
        let bob = try await server.online("bob")
        try await bob.join("lobby", as: "Bob")
        try await alice.join("lobby", as: "Alice")
        _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == "lobby@\(chatDomain)/Alice" }
        return (alice, bob)
    }

    func presence(to nick: String, status: String? = nil) -> XMLElement {
        var presence = XMLElement("presence", namespace: NS.client, attributes: ["to": "lobby@\(chatDomain)/\(nick)"])
        if let status { presence.append(XMLElement.text("status", namespace: NS.client, status)) }
        return presence
    }

    func isPolicyViolation(_ element: XMLElement) -> Bool {
        element.name == "presence" && element[attribute: "type"] == "error" && errorCondition(element) == "policy-violation"
            && element.child("error", namespace: NS.client)?[attribute: "type"] == "wait"
    }

    @Test("Status updates beyond the burst are refused with policy-violation and not broadcast; messages still flow")
    func presenceFlood() async throws {
        try await withServer(configure: configure) { server async throws in
            let (alice, bob) = try await setUp(server)
            // The join spent one of four: three updates fit.
            for index in 1...12 { alice.send(presence(to: "Alice", status: "status \(index)")) }
            alice.say("lobby", "after the flood")
            let heard = try await bob.heard(in: "lobby")
            #expect(heard.child("body", namespace: NS.client)?.text == "after the flood")
            _ = try await alice.heard(in: "lobby")

            let refusals = alice.unclaimed.filter(isPolicyViolation)
            #expect(refusals.count == 9)
            #expect(refusals.first?.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text.contains("presence") == true)
            let seen = bob.unclaimed.filter { $0.name == "presence" && $0[attribute: "from"] == "lobby@\(chatDomain)/Alice" }
            #expect(seen.compactMap { $0.child("status", namespace: NS.client)?.text } == ["status 1", "status 2", "status 3"])

            // Leaving is never limited.
            alice.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "lobby@\(chatDomain)/Alice", "type": "unavailable"]))
            let gone = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" && $0[attribute: "from"] == "lobby@\(chatDomain)/Alice" }
            #expect(mucItem(gone)?[attribute: "role"] == "none")
        }
    }

    @Test("Nickname changes beyond the burst are refused; everyone sees the last nickname that was accepted")
    func nickFlood() async throws {
        try await withServer(configure: configure) { server async throws in
            let (alice, bob) = try await setUp(server)
            for index in 1...6 { alice.send(presence(to: "Alice\(index)")) }
            alice.say("lobby", "who am I")
            let heard = try await bob.heard(in: "lobby")
            #expect(heard[attribute: "from"] == "lobby@\(chatDomain)/Alice2")
            _ = try await alice.heard(in: "lobby")

            #expect(alice.unclaimed.filter(isPolicyViolation).count == 4)
            let renames = bob.unclaimed.filter { statusCodes($0).contains(303) }.compactMap { mucItem($0)?[attribute: "nick"] }
            #expect(renames == ["Alice1", "Alice2"])
            let occupants = try await bob.query("lobby@\(chatDomain)", NS.discoItems)
            let nicks = occupants.child("query", namespace: NS.discoItems)?.elements.compactMap { $0[attribute: "name"] }.sorted()
            #expect(nicks == ["Alice2", "Bob"])
        }
    }
}
