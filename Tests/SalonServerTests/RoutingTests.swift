import Foundation
import SalonClient
import Testing
import XMPPCore

@Suite("Routing and core IM over the wire")
struct RoutingTests {
    let domain = TestServer.domain

    @Test("Messages to a full JID and to a bare JID reach the right resources")
    func messageRouting() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bobHigh = try await server.online("bob", resource: "desk", priority: 5)
            let bobLow = try await server.online("bob", resource: "phone", priority: 1)

            alice.send(message(to: "bob@\(domain)/phone", body: "to the phone"))
            let direct = try await bobLow.expect { $0.name == "message" }
            #expect(direct.child("body", namespace: NS.client)?.text == "to the phone")
            #expect(direct[attribute: "from"] == alice.jid.description)

            alice.send(message(to: "bob@\(domain)", body: "to the bare JID"))
            let bare = try await bobHigh.expect { $0.name == "message" }
            #expect(bare.child("body", namespace: NS.client)?.text == "to the bare JID")
            try await bobLow.ping()
            #expect(!bobLow.unclaimed.contains { $0.name == "message" })
        }
    }

    @Test("A message to an offline account is stored and delivered, with a delay stamp, at its next presence")
    func offlineMessages() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            alice.send(message(to: "bob@\(domain)", body: "while you were out"))
            try await alice.ping()
            let bob = try await server.online("bob")
            let stored = try await bob.expect { $0.name == "message" }
            #expect(stored.child("body", namespace: NS.client)?.text == "while you were out")
            let stamp = try #require(stored.child("delay", namespace: NS.delay)?[attribute: "stamp"])
            // XEP-0082 UTC date-time, e.g. 2026-11-21T23:45:45.123Z
            #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/) != nil, "\(stamp)")
        }
    }

    @Test("Stanzas for accounts or resources that do not exist get service-unavailable")
    func undeliverable() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            alice.send(message(to: "ghost@\(domain)", body: "anyone?"))
            let bounced = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(bounced) == "service-unavailable")

            let iq = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": "bob@\(domain)/nowhere"],
                                                        children: [.element(XMLElement("query", namespace: NS.version))]))
            #expect(errorCondition(iq) == "service-unavailable")

            let remote = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": "example.org"],
                                                            children: [.element(XMLElement("ping", namespace: NS.ping))]))
            #expect(errorCondition(remote) == "remote-server-not-found")

            let unknown = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": domain],
                                                             children: [.element(XMLElement("query", namespace: "urn:example:nothing"))]))
            #expect(errorCondition(unknown) == "service-unavailable")
        }
    }

    @Test("An iq without 'to' is answered as from the account, never from the domain", arguments: ["ping", "version"])
    func iqToOwnAccount(payload: String) async throws {
        try await withServer { server async throws in
            let alice = try await server.addUser("alice")
            let client = try await server.login("alice")
            let child = payload == "ping" ? XMLElement("ping", namespace: NS.ping) : XMLElement("query", namespace: "jabber:iq:version")
            let reply = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"], children: [.element(child)]))
            // RFC 6120 §8.1.2.1: no 'from', or the account's bare JID; the version query is refused.
            #expect(reply[attribute: "type"] == (payload == "ping" ? "result" : "error"))
            let from = reply[attribute: "from"]
            #expect(from == nil || from == alice.description, "from=\(from ?? "")")
            await client.close()
        }
    }

    @Test("iq between two users' full JIDs is routed both ways")
    func iqBetweenUsers() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let to = bob.jid.description
            async let reply = alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": to],
                                                       children: [.element(XMLElement("query", namespace: NS.version))]))
            let request = try await bob.expect { $0.name == "iq" && $0[attribute: "type"] == "get" }
            bob.send(XMLElement("iq", namespace: NS.client, attributes: ["type": "result", "id": request[attribute: "id"]!, "to": request[attribute: "from"]!]))
            #expect(try await reply[attribute: "type"] == "result")
        }
    }

    @Test("Server discovery, ping and version")
    func serverServices() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"]) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            let info = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": domain],
                                                          children: [.element(XMLElement("query", namespace: NS.discoInfo))]))
            let features = info.child("query", namespace: NS.discoInfo)?.children("feature", namespace: NS.discoInfo).compactMap { $0[attribute: "var"] } ?? []
            #expect(features.contains(NS.ping) && features.contains(NS.version) && features.contains(NS.discoInfo))
            let items = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": domain],
                                                           children: [.element(XMLElement("query", namespace: NS.discoItems))]))
            #expect(items.child("query", namespace: NS.discoItems)?.elements.map { $0[attribute: "jid"] } == ["chat.salon.test", "upload.salon.test", "bot.salon.test"])
            let version = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": domain],
                                                             children: [.element(XMLElement("query", namespace: NS.version))]))
            #expect(version.child("query", namespace: NS.version)?.child("name", namespace: NS.version)?.text == "Salon")
            try await alice.ping()
        }
    }

    @Test("Subscription handshake, then presence flows between the two accounts")
    func subscriptionAndPresence() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let bobJID = "bob@\(domain)", aliceJID = "alice@\(domain)"

            alice.send(XMLElement("presence", namespace: NS.client, attributes: ["to": bobJID, "type": "subscribe"]))
            let request = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "subscribe" }
            #expect(request[attribute: "from"] == aliceJID)
            bob.send(XMLElement("presence", namespace: NS.client, attributes: ["to": aliceJID, "type": "subscribed"]))
            _ = try await alice.expect { $0.name == "presence" && $0[attribute: "type"] == "subscribed" }
            // Alice now sees Bob's presence…
            let bobPresence = try await alice.expect { $0.name == "presence" && $0[attribute: "type"] == nil && $0[attribute: "from"] == bob.jid.description }
            #expect(bobPresence[attribute: "to"] != nil)
            // …and her roster says so.
            let roster = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"],
                                                            children: [.element(XMLElement("query", namespace: NS.roster))]))
            let item = roster.child("query", namespace: NS.roster)?.child("item", namespace: NS.roster)
            #expect(item?[attribute: "jid"] == bobJID)
            #expect(item?[attribute: "subscription"] == "to")

            // Bob going away reaches Alice.
            bob.send(XMLElement("presence", namespace: NS.client, attributes: ["type": "unavailable"]))
            let gone = try await alice.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" }
            #expect(gone[attribute: "from"] == bob.jid.description)
        }
    }

    @Test("Roster set is pushed to every resource and survives a restart")
    func rosterPersistence() async throws {
        let server = try await TestServer.start()
        try await server.addUser("alice")
        let laptop = try await server.online("alice", resource: "laptop")
        let phone = try await server.online("alice", resource: "phone")
        var item = XMLElement("item", namespace: NS.roster, attributes: ["jid": "carol@\(domain)", "name": "Carol"])
        var group = XMLElement("group", namespace: NS.roster)
        group.append(text: "Friends")
        item.append(group)
        let set = try await laptop.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                                      children: [.element(XMLElement("query", namespace: NS.roster, children: [.element(item)]))]))
        #expect(set[attribute: "type"] == "result")
        let push = try await phone.expect { $0.name == "iq" && $0[attribute: "type"] == "set" && $0.child("query", namespace: NS.roster) != nil }
        #expect(push.child("query", namespace: NS.roster)?.child("item", namespace: NS.roster)?[attribute: "name"] == "Carol")
        await server.stop()

        let restarted = try await TestServer.start(directory: server.directory)
        let client = try await restarted.login("alice")
        let roster = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"],
                                                         children: [.element(XMLElement("query", namespace: NS.roster))]))
        let stored = try #require(roster.child("query", namespace: NS.roster)?.child("item", namespace: NS.roster))
        #expect(stored[attribute: "jid"] == "carol@\(domain)")
        #expect(stored[attribute: "name"] == "Carol")
        #expect(stored.child("group", namespace: NS.roster)?.text == "Friends")
        await restarted.stop()
        restarted.removeFiles()
    }
}
