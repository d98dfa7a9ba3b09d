import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

private let csiNS = "urn:xmpp:csi:0"

extension XMPPClient {
    /// Sends XEP-0352 `<active/>` or `<inactive/>`; the ping after it makes sure it was handled.
    func clientState(active: Bool) async throws {
        send(XMLElement(active ? "active" : "inactive", namespace: csiNS))
        try await ping()
    }

    func directedPresence(to: JID, status: String) {
        send(XMLElement("presence", namespace: NS.client, attributes: ["to": to.description],
                        children: [.element(textElement("status", namespace: NS.client, status))]))
    }

    /// The next stanza with a body (any type) from `from`.
    func bodyMessage(from: String) async throws -> XMLElement {
        try await expect { $0.name == "message" && $0[attribute: "from"] == from && $0.child("body", namespace: NS.client) != nil }
    }

    var presencesWaiting: [XMLElement] { unclaimed.filter { $0.name == "presence" } }
}

@Suite("Client State Indication (XEP-0352) over the wire")
struct ClientStateTests {
    let domain = TestServer.domain

    @Test("CSI is a stream feature after authentication only")
    func advertised() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let client = try await XMPPClient.open(server.options())
            let before = try await client.secureStream()
            #expect(before.child("csi", namespace: csiNS) == nil)
            try await client.authenticate(features: before, username: "alice", password: "pw-alice")
            let after = try await client.openStream()
            #expect(after.child("csi", namespace: csiNS) != nil)
            await client.close()
        }
    }

    @Test("An inactive client gets presence only when active again: the latest per contact, in order; bodies and subscription requests pass at once")
    func presenceHeldAndCollapsed() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let carol = try await server.online("carol")
            try await alice.clientState(active: false)

            bob.directedPresence(to: alice.jid, status: "bob 1")
            bob.directedPresence(to: alice.jid, status: "bob 2")
            carol.directedPresence(to: alice.jid, status: "carol 1")
            bob.directedPresence(to: alice.jid, status: "bob 3")
            carol.send(message(to: alice.jid.description, body: "carol is here"))
            bob.send(message(to: alice.jid.description, body: "are you there?"))
            // Each sender's stanzas reach alice in order: with its message there, its presences were held.
            _ = try await alice.bodyMessage(from: carol.jid.description)
            _ = try await alice.bodyMessage(from: bob.jid.description)
            #expect(alice.presencesWaiting.isEmpty)

            bob.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "alice@\(domain)", "type": "subscribe"]))
            let request = try await alice.expect { $0.name == "presence" && $0[attribute: "type"] == "subscribe" }
            #expect(request[attribute: "from"] == "bob@\(domain)")

            try await alice.clientState(active: true)
            let statuses = alice.presencesWaiting.compactMap { $0.child("status", namespace: NS.client)?.text }
            #expect(statuses == ["carol 1", "bob 3"])
        }
    }

    @Test("Chat states wait; a full queue is sent without waiting for the client to become active")
    func overflowSends() async throws {
        try await withServer(configure: { $0.limits.csiHeldStanzas = 3 }) { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.clientState(active: false)
            func chatState(_ state: String) -> XMLElement {
                XMLElement("message", namespace: NS.client, attributes: ["to": alice.jid.description, "type": "chat"],
                           children: [.element(XMLElement(state, namespace: "http://jabber.org/protocol/chatstates"))])
            }
            bob.send(chatState("composing"))
            bob.send(chatState("paused"))
            bob.send(chatState("composing"))
            bob.send(message(to: alice.jid.description, body: "one"))
            _ = try await alice.bodyMessage(from: bob.jid.description)
            #expect(!alice.unclaimed.contains { $0.child("composing", namespace: "http://jabber.org/protocol/chatstates") != nil })

            bob.send(chatState("gone"))  // the fourth: over the bound, all four go
            let gone = try await alice.expect { $0.child("gone", namespace: "http://jabber.org/protocol/chatstates") != nil }
            #expect(gone[attribute: "from"] == bob.jid.description)
            let states = alice.unclaimed.filter { $0.name == "message" }.compactMap { $0.elements.first?.name }
            #expect(states == ["composing", "paused", "composing"])
        }
    }

    @Test("In a room: presence and chatter wait, a message naming the user passes, all in order once active")
    func roomTraffic() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
            let room = Room(localpart: "lounge", name: "Lounge", category: "Eng", privacy: .open)
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                _ = try d.createRoom(room, by: .system)
            }
            let alice = try await server.online("alice")
            try await alice.clientState(active: true)  // from here the stream follows alice's nicknames
            #expect(try await alice.join("lounge", as: "Alice")[attribute: "type"] == nil)
            let bob = try await server.online("bob")
            try await bob.join("lounge", as: "Bob")
            _ = try await alice.expect { $0.name == "presence" && $0[attribute: "from"] == "lounge@\(chatDomain)/Bob" }
            try await alice.clientState(active: false)

            let carol = try await server.online("carol")
            try await carol.join("lounge", as: "Carol")
            bob.say("lounge", "small talk")
            bob.say("lounge", "hey alice, look")
            let mention = try await alice.heard(in: "lounge")
            #expect(mention.child("body", namespace: NS.client)?.text == "hey alice, look")
            #expect(alice.presencesWaiting.isEmpty)
            #expect(!alice.unclaimed.contains { $0.child("body", namespace: NS.client) != nil })

            try await alice.clientState(active: true)
            let flushed = alice.unclaimed.compactMap { element -> String? in
                if element.name == "presence" { return "presence \(element[attribute: "from"] ?? "")" }
                return element.child("body", namespace: NS.client).map { "body \($0.text)" }
            }
            #expect(flushed == ["presence lounge@\(chatDomain)/Carol", "body small talk"])
        }
    }

    @Test("A room joined before the client said its state: messages with a body pass, room presence waits")
    func unknownNickname() async throws {
        try await withServer { server async throws in
            let room = Room(localpart: "lounge", name: "Lounge", category: "Eng", privacy: .open)
            let (alice, bob) = try await server.aliceAndBob(in: room, category: openCategory())
            // Bob's join reaches alice on her own loop: before she goes inactive, or it is held.
            _ = try await alice.expect { $0.name == "presence" && $0[attribute: "from"] == "lounge@\(chatDomain)/Bob" }
            try await alice.clientState(active: false)
            try await bob.join("lounge", as: "Bob")  // a presence update from Bob: held
            bob.say("lounge", "small talk")
            let heard = try await alice.heard(in: "lounge")
            #expect(heard.child("body", namespace: NS.client)?.text == "small talk")
            #expect(alice.presencesWaiting.isEmpty)
        }
    }

    @Test("A join made while inactive waits whole and arrives in XEP-0045 order once active")
    func joinWhileInactive() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                _ = try d.createRoom(Room(localpart: "lounge", name: "Lounge", category: "Eng", privacy: .open), by: .system)
            }
            let bob = try await server.online("bob")
            try await bob.join("lounge", as: "Bob")
            let alice = try await server.online("alice")
            try await alice.clientState(active: false)
            alice.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "lounge@\(chatDomain)/Alice"],
                                  children: [.element(XMLElement("x", namespace: "http://jabber.org/protocol/muc"))]))
            try await alice.roundTrip(with: "lounge")  // an iq: it passes, after everything the join sent
            #expect(!alice.unclaimed.contains { $0[attribute: "from"]?.hasPrefix("lounge@") == true })

            try await alice.clientState(active: true)
            let fromRoom = alice.unclaimed.filter { $0[attribute: "from"]?.hasPrefix("lounge@") == true }
            #expect(fromRoom.map { "\($0.name) \($0[attribute: "from"] ?? "")" } == [
                "presence lounge@\(chatDomain)/Bob", "presence lounge@\(chatDomain)/Alice", "message lounge@\(chatDomain)",
            ])
            #expect(statusCodes(fromRoom[1]).contains(110))
        }
    }

    @Test("An unknown element in the CSI namespace ends the stream")
    func unknownNonza() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            alice.send(XMLElement("sleepy", namespace: csiNS))
            #expect(try await alice.expectStreamError() == "unsupported-stanza-type")
        }
    }
}
