import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("IQs to occupants are relayed to their clients and the answers come back (XEP-0045)")
struct MUCOccupantIQTests {
    let room = "design@\(chatDomain)"

    func setUp(_ server: TestServer) async throws -> (alice: XMPPClient, bob: XMPPClient) {
        try await server.aliceAndBob(in: Room(localpart: "design", name: "Design", category: "Eng", privacy: .open,
                                             managers: [.user("alice@salon.test")]), users: ["alice", "bob"])
    }

    func query(_ namespace: String, name: String = "query", to nick: String, type: String = "get") -> XMLElement {
        XMLElement("iq", namespace: NS.client, attributes: ["type": type, "to": "\(room)/\(nick)", "id": "q-\(namespace.hashValue)"],
                   children: [.element(XMLElement(name, namespace: namespace))])
    }

    /// bob's client receives the relayed query and answers it with `reply`.
    func answer(at bob: XMPPClient, namespace: String, _ reply: (XMLElement) -> XMLElement) async throws -> XMLElement {
        let relayed = try await bob.expect { $0.name == "iq" && $0.elements.first?.namespace == namespace }
        bob.send(reply(relayed))
        return relayed
    }

    @Test("Disco#info and version queries reach the occupant's client from the asker's occupant JID; the answer returns")
    func discoAndVersion() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            async let reply = alice.request(query(NS.discoInfo, to: "Bob"))
            let relayed = try await answer(at: bob, namespace: NS.discoInfo) { relayed in
                var query = XMLElement("query", namespace: NS.discoInfo)
                query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": "urn:xmpp:jingle:1"]))
                return XMLElement("iq", namespace: NS.client, attributes: [
                    "type": "result", "to": relayed[attribute: "from"]!, "id": relayed[attribute: "id"]!,
                ], children: [.element(query)])
            }
            #expect(relayed[attribute: "from"] == "\(room)/Alice")
            #expect(relayed[attribute: "to"] == bob.jid.description)
            let result = try await reply
            #expect(result[attribute: "type"] == "result")
            #expect(result[attribute: "from"] == "\(room)/Bob")
            #expect(result.child("query", namespace: NS.discoInfo)?.child("feature", namespace: NS.discoInfo)?[attribute: "var"] == "urn:xmpp:jingle:1")

            async let version = alice.request(query("jabber:iq:version", to: "Bob"))
            _ = try await answer(at: bob, namespace: "jabber:iq:version") { relayed in
                XMLElement("iq", namespace: NS.client, attributes: ["type": "result", "to": relayed[attribute: "from"]!, "id": relayed[attribute: "id"]!],
                           children: [.element(XMLElement("query", namespace: "jabber:iq:version", children: [.element(.text("name", namespace: "jabber:iq:version", "BobChat"))]))])
            }
            #expect(try await version.child("query", namespace: "jabber:iq:version")?.child("name", namespace: "jabber:iq:version")?.text == "BobChat")
        }
    }

    @Test("A ping of another occupant reaches it (its error comes back); a self-ping is the room's; vCards go to the account")
    func pingAndVCard() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            async let pinged = alice.request(query(NS.ping, name: "ping", to: "Bob"))
            _ = try await answer(at: bob, namespace: NS.ping) { relayed in
                var error = XMLElement("iq", namespace: NS.client, attributes: ["type": "error", "to": relayed[attribute: "from"]!, "id": relayed[attribute: "id"]!])
                error.append(XMLElement("error", namespace: NS.client, attributes: ["type": "cancel"],
                                        children: [.element(XMLElement("feature-not-implemented", namespace: NS.stanzaErrors))]))
                return error
            }
            let ping = try await pinged
            #expect(ping[attribute: "from"] == "\(room)/Bob" && errorCondition(ping) == "feature-not-implemented")
            #expect(try await alice.request(query(NS.ping, name: "ping", to: "Alice"))[attribute: "type"] == "result")

            // The account's server answers for the vCard (Bob has none yet: an empty one), from the occupant JID.
            let vCard = try await alice.request(query("vcard-temp", name: "vCard", to: "Bob"))
            #expect(vCard[attribute: "from"] == "\(room)/Bob" && vCard[attribute: "type"] == "result")
            #expect(vCard.child("vCard", namespace: "vcard-temp") != nil)
        }
    }

    @Test("Other queries, sets and absent nicks are refused; strangers' answers are dropped")
    func refusals() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            #expect(errorCondition(try await alice.request(query("jabber:iq:last", to: "Bob"))) == "service-unavailable")
            #expect(errorCondition(try await alice.request(query(NS.discoInfo, to: "Bob", type: "set"))) == "service-unavailable")
            #expect(errorCondition(try await alice.request(query(NS.discoInfo, to: "Nobody"))) == "item-not-found")
            // An answer nobody asked for goes nowhere.
            bob.send(XMLElement("iq", namespace: NS.client, attributes: ["type": "result", "to": "\(room)/Alice", "id": "made-up"]))
            try await alice.ping()
            #expect(!alice.unclaimed.contains { $0[attribute: "id"] == "made-up" })
        }
    }
}
