import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

private let carbonsNS = "urn:xmpp:carbons:2"

extension XMPPClient {
    /// Enables (or disables) XEP-0280 carbons for this resource; returns the iq's type.
    @discardableResult
    func carbons(_ on: Bool = true) async throws -> String? {
        let reply = try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                                 children: [.element(XMLElement(on ? "enable" : "disable", namespace: carbonsNS))]))
        return reply[attribute: "type"]
    }

    /// The next carbon (`received` or `sent`) and the message it forwards.
    func carbon(_ kind: String) async throws -> (carbon: XMLElement, forwarded: XMLElement) {
        let carbon = try await expect { $0.name == "message" && $0.child(kind, namespace: carbonsNS) != nil }
        let forwarded = try #require(carbon.child(kind, namespace: carbonsNS)?
            .child("forwarded", namespace: "urn:xmpp:forward:0")?.child("message", namespace: NS.client))
        return (carbon, forwarded)
    }

    var carbonsReceived: Int {
        unclaimed.filter { $0.name == "message" && ($0.child("received", namespace: carbonsNS) ?? $0.child("sent", namespace: carbonsNS)) != nil }.count
    }
}

@Suite("Message carbons (XEP-0280) over the wire")
struct CarbonsTests {
    let domain = TestServer.domain

    @Test("The server advertises carbons and its rules; enabling and disabling twice is no error")
    func discoveryAndToggling() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let info = try await alice.query(domain, NS.discoInfo)
            let features = info.child("query", namespace: NS.discoInfo)?.elements.compactMap { $0[attribute: "var"] } ?? []
            #expect(features.contains(carbonsNS))
            #expect(features.contains("urn:xmpp:carbons:rules:0"))
            #expect(try await alice.carbons() == "result")
            #expect(try await alice.carbons() == "result")
            #expect(try await alice.carbons(false) == "result")
            #expect(try await alice.carbons(false) == "result")
            let get = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"],
                                                         children: [.element(XMLElement("enable", namespace: carbonsNS))]))
            #expect(errorCondition(get) == "bad-request")
        }
    }

    @Test("A chat message to one resource is copied to the account's other carbon-enabled resources only")
    func receivedCopies() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let desk = try await server.online("alice", resource: "desk")
            let phone = try await server.online("alice", resource: "phone")
            let laptop = try await server.online("alice", resource: "laptop")
            try await phone.carbons()
            try await desk.carbons()
            let bob = try await server.online("bob")

            bob.send(message(to: "alice@\(domain)/desk", body: "hello desk"))
            let original = try await desk.expect { $0.name == "message" && $0.child("body", namespace: NS.client) != nil }
            #expect(original[attribute: "from"] == bob.jid.description)
            let (carbon, forwarded) = try await phone.carbon("received")
            #expect(carbon[attribute: "from"] == "alice@\(domain)")
            #expect(carbon[attribute: "to"] == phone.jid.description)
            #expect(carbon[attribute: "type"] == "chat")
            #expect(forwarded.child("body", namespace: NS.client)?.text == "hello desk")
            #expect(forwarded[attribute: "from"] == bob.jid.description)
            #expect(forwarded[attribute: "to"] == "alice@\(domain)/desk")
            for client in [desk, laptop] { try await client.ping() }
            #expect(desk.carbonsReceived == 0)
            #expect(laptop.carbonsReceived == 0)
            #expect(!laptop.unclaimed.contains { $0.name == "message" })
        }
    }

    @Test("A message to the bare JID is copied to the enabled resources that did not get it")
    func bareJIDCopies() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let desk = try await server.online("alice", resource: "desk", priority: 5)
            let phone = try await server.online("alice", resource: "phone", priority: 1)
            try await desk.carbons()
            try await phone.carbons()
            let bob = try await server.online("bob")
            bob.send(message(to: "alice@\(domain)", body: "to the account", type: "normal"))
            let original = try await desk.expect { $0.name == "message" && $0.child("body", namespace: NS.client) != nil }
            #expect(original.child("received", namespace: carbonsNS) == nil)
            let (_, forwarded) = try await phone.carbon("received")
            #expect(forwarded.child("body", namespace: NS.client)?.text == "to the account")
            try await desk.ping()
            #expect(desk.carbonsReceived == 0)
        }
    }

    @Test("What a resource sends is copied to the other enabled resources, not back to it")
    func sentCopies() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let desk = try await server.online("alice", resource: "desk")
            let phone = try await server.online("alice", resource: "phone")
            try await desk.carbons()
            try await phone.carbons()
            let bob = try await server.online("bob")
            desk.send(message(to: bob.jid.description, body: "from my desk"))
            _ = try await bob.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "from my desk" }
            let (carbon, forwarded) = try await phone.carbon("sent")
            #expect(carbon[attribute: "from"] == "alice@\(domain)")
            #expect(forwarded[attribute: "from"] == desk.jid.description)
            #expect(forwarded[attribute: "to"] == bob.jid.description)
            try await desk.ping()
            #expect(desk.carbonsReceived == 0)
        }
    }

    @Test("Private, no-copy, groupchat-less, bodiless and disabled cases are not copied; IM payloads are",
          arguments: ["private", "no-copy", "normal-without-body", "headline", "disabled", "receipt", "direct-invitation"])
    func eligibility(kind: String) async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let desk = try await server.online("alice", resource: "desk")
            let phone = try await server.online("alice", resource: "phone")
            try await phone.carbons()
            if kind == "disabled" { try await phone.carbons(false) }
            let bob = try await server.online("bob")
            var stanza = message(to: "alice@\(domain)/desk", body: "x")
            switch kind {
            case "private":
                stanza.append(XMLElement("private", namespace: carbonsNS))
            case "no-copy":
                stanza.append(XMLElement("no-copy", namespace: "urn:xmpp:hints"))
            case "normal-without-body":
                stanza = XMLElement("message", namespace: NS.client, attributes: ["to": "alice@\(domain)/desk", "type": "normal"],
                                    children: [.element(XMLElement("subject", namespace: NS.client))])
            case "headline":
                stanza[attribute: "type"] = "headline"
            case "receipt":
                stanza = XMLElement("message", namespace: NS.client, attributes: ["to": "alice@\(domain)/desk"],
                                    children: [.element(XMLElement("received", namespace: "urn:xmpp:receipts", attributes: ["id": "m1"]))])
            case "direct-invitation":
                stanza = XMLElement("message", namespace: NS.client, attributes: ["to": "alice@\(domain)/desk"],
                                    children: [.element(XMLElement("x", namespace: "jabber:x:conference", attributes: ["jid": "lobby@\(chatDomain)"]))])
            default: break
            }
            bob.send(stanza)
            _ = try await desk.expect { $0.name == "message" }
            if ["receipt", "direct-invitation"].contains(kind) {
                _ = try await phone.carbon("received")
            } else {
                try await phone.ping()
                #expect(phone.carbonsReceived == 0, "\(kind)")
            }
        }
    }

    @Test("A room's private message to the user is not copied; one the user sends goes only to resources joined under the same nick")
    func roomPrivateMessages() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open))
            let phone = try await server.online("alice", resource: "phone")
            let laptop = try await server.online("alice", resource: "laptop")
            try await laptop.join("lobby", as: "Alice")
            let tablet = try await server.online("alice", resource: "tablet")
            try await tablet.join("lobby", as: "Alice-tablet")
            for client in [alice, phone, laptop, tablet] { try await client.carbons() }

            bob.send(message(to: "lobby@\(chatDomain)/Alice", body: "psst"))
            _ = try await alice.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "psst" }
            try await phone.ping()
            #expect(phone.carbonsReceived == 0)

            var pm = message(to: "lobby@\(chatDomain)/Bob", body: "back at you")
            pm.append(XMLElement("x", namespace: mucUser))
            alice.send(pm)
            _ = try await bob.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "back at you" }
            let (_, forwarded) = try await laptop.carbon("sent")
            #expect(forwarded[attribute: "to"] == "lobby@\(chatDomain)/Bob")
            for other in [phone, tablet] {
                try await other.ping()
                #expect(other.carbonsReceived == 0)
            }
        }
    }

    @Test("A carbon that reaches a closing session is dropped, not rerouted or stored like the message it copies")
    func carbonToClosingSession() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let phone = try await server.online("alice", resource: "phone")
            let registry = try #require(server.server.context?.sessions)
            let session = try #require(registry.session(phone.jid))
            phone.sendRaw(XMLStreamHeader.closingTag)
            _ = try await phone.expectEnd()
            // What the server had made for the phone just before it closed: a carbon, then a message.
            let original = message(to: "alice@\(domain)/desk", body: "the original")
            var carbon = XMLElement("message", namespace: NS.client, attributes: ["from": "alice@\(domain)", "to": phone.jid.description, "type": "chat"])
            carbon.append(XMLElement("received", namespace: carbonsNS, children: [
                .element(XMLElement("forwarded", namespace: "urn:xmpp:forward:0", children: [.element(original)])),
            ]))
            session.deliver(carbon)
            var direct = message(to: phone.jid.description, body: "for the phone")
            direct[attribute: "from"] = "bob@\(domain)/desk"
            session.deliver(direct)
            let again = try await server.login("alice", resource: "desk")
            again.send(XMLElement("presence", namespace: NS.client))
            let stored = try await again.expect { $0.name == "message" }
            #expect(stored.child("body", namespace: NS.client)?.text == "for the phone")
            try await again.ping()
            #expect(again.carbonsReceived == 0)
        }
    }

    @Test("Errors are copied only when they go to a bound resource")
    func eligibilityRules() {
        let occupant = try! JID("lobby@chat.example/Bob")
        let contact = try! JID("bob@example/desk")
        var error = XMLElement("message", namespace: NS.client, attributes: ["type": "error"])
        #expect(!MessageCarbons.isEligible(error, direction: .received, counterpart: contact, mucDomain: "chat.example", toBoundResource: false))
        #expect(MessageCarbons.isEligible(error, direction: .received, counterpart: contact, mucDomain: "chat.example", toBoundResource: true))
        error[attribute: "type"] = "groupchat"
        #expect(!MessageCarbons.isEligible(error, direction: .sent, counterpart: occupant, mucDomain: "chat.example", toBoundResource: false))
        let chat = message(to: "x@example", body: "hi")
        #expect(!MessageCarbons.isEligible(chat, direction: .received, counterpart: occupant, mucDomain: "chat.example", toBoundResource: true))
        #expect(MessageCarbons.isEligible(chat, direction: .sent, counterpart: occupant, mucDomain: "chat.example", toBoundResource: false))
    }
}
