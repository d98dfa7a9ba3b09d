import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Occupant presence and what joiners see: bare-room presence, exit status, error presence (333), subject author")
struct MUCPresenceTests {
    let room = "design@\(chatDomain)"

    /// alice and bob, both members of an Open room, are in it.
    func setUp(_ server: TestServer) async throws -> (alice: XMPPClient, bob: XMPPClient) {
        try await server.aliceAndBob(in: Room(localpart: "design", name: "Design", category: "Eng", privacy: .open,
                                             managers: [.user("alice@salon.test")]), users: ["alice", "bob", "carol"])
    }

    func presence(to: String, type: String? = nil, _ children: [XMLElement] = []) -> XMLElement {
        var attributes = ["to": to]
        if let type { attributes["type"] = type }
        return XMLElement("presence", namespace: NS.client, attributes: attributes, children: children.map { .element($0) })
    }

    func bobsUnavailable(_ stanza: XMLElement, room: String) -> Bool {
        stanza.name == "presence" && stanza[attribute: "from"] == "\(room)/Bob" && stanza[attribute: "type"] == "unavailable"
    }

    @Test("Leaving through the bare room JID: the exit status reaches the others, with the leaver's JID")
    func leaveByBareJID() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            bob.send(presence(to: room, type: "unavailable", [.text("status", namespace: NS.client, "Gone fishing")]))
            let own = try await bob.expect { bobsUnavailable($0, room: room) }
            #expect(statusCodes(own).contains(110))
            let seen = try await alice.expect { bobsUnavailable($0, room: room) }
            #expect(seen.child("status", namespace: NS.client)?.text == "Gone fishing")
            #expect(mucItem(seen)?[attribute: "jid"] == bob.jid.description)
            #expect(mucItem(seen)?[attribute: "role"] == "none")
        }
    }

    @Test("A presence update through the bare room JID updates the sender's occupant; strangers still need a nick")
    func updateByBareJID() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            bob.send(presence(to: room, [.text("show", namespace: NS.client, "away")]))
            let update = try await alice.expect {
                $0.name == "presence" && $0[attribute: "from"] == "\(room)/Bob" && $0.child("show", namespace: NS.client) != nil
            }
            #expect(update.child("show", namespace: NS.client)?.text == "away")
            let carol = try await server.online("carol")
            carol.send(presence(to: room))
            let refused = try await carol.expect { $0.name == "presence" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "jid-malformed")
        }
    }

    @Test("An error presence from an occupant removes it with status 333")
    func errorPresenceRemoves() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            var error = XMLElement("error", namespace: NS.client, attributes: ["type": "cancel"])
            error.append(XMLElement("remote-server-not-found", namespace: NS.stanzaErrors))
            bob.send(presence(to: "\(room)/Alice", type: "error", [error]))
            let seen = try await alice.expect { bobsUnavailable($0, room: room) }
            #expect(statusCodes(seen) == [333])
            let items = try await alice.query(room, NS.discoItems)
            let nicks = items.child("query", namespace: NS.discoItems)?.elements.compactMap { $0[attribute: "name"] } ?? []
            #expect(nicks == ["Alice"])
        }
    }

    @Test("The subject comes from the nick that set it, to the room and to later joiners, and is stored with it")
    func subjectRemembersItsAuthor() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            let subject = XMLElement("message", namespace: NS.client, attributes: ["to": room, "type": "groupchat"],
                                     children: [.element(.text("subject", namespace: NS.client, "Sprint 12"))])
            alice.send(subject)
            let heard = try await bob.expect { $0.name == "message" && $0.child("subject", namespace: NS.client)?.text == "Sprint 12" }
            #expect(heard[attribute: "from"] == "\(room)/Alice")
            let carol = try await server.online("carol")
            carol.send(presence(to: "\(room)/Carol", [XMLElement("x", namespace: "http://jabber.org/protocol/muc")]))
            let told = try await carol.expect { $0.name == "message" && $0.child("subject", namespace: NS.client) != nil }
            #expect(told.child("subject", namespace: NS.client)?.text == "Sprint 12")
            #expect(told[attribute: "from"] == "\(room)/Alice")
            #expect(try await server.database.chat.loadDirectory().rooms["design"]?.subjectAuthor == "Alice")
        }
    }
}
