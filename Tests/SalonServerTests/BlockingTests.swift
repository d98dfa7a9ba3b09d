import Foundation
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

private let blockingNS = "urn:xmpp:blocking"

extension XMPPClient {
    /// Sends a block or unblock set for `jids`; returns the reply.
    @discardableResult
    func blocking(_ command: String, _ jids: [String]) async throws -> XMLElement {
        let items = jids.map { XMLElement("item", namespace: blockingNS, attributes: ["jid": $0]) }
        return try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                            children: [.element(XMLElement(command, namespace: blockingNS, children: items.map { .element($0) }))]))
    }

    /// The blocklist, as the server returns it (this resource then gets pushes).
    func blocklist() async throws -> [String] {
        let reply = try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"],
                                                 children: [.element(XMLElement("blocklist", namespace: blockingNS))]))
        return reply.child("blocklist", namespace: blockingNS)?.elements.compactMap { $0[attribute: "jid"] } ?? []
    }

    /// Makes `other` and this client's account mutual contacts (subscription both).
    func befriend(_ other: XMPPClient) async throws {
        for (asker, answerer) in [(self, other), (other, self)] {
            asker.send(XMLElement("presence", namespace: NS.client, attributes: ["to": answerer.jid.bare.description, "type": "subscribe"]))
            _ = try await answerer.expect { $0.name == "presence" && $0[attribute: "type"] == "subscribe" }
            answerer.send(XMLElement("presence", namespace: NS.client, attributes: ["to": asker.jid.bare.description, "type": "subscribed"]))
            _ = try await asker.expect { $0.name == "presence" && $0[attribute: "type"] == nil && $0[attribute: "from"] == answerer.jid.description }
        }
    }
}

@Suite("Blocking command (XEP-0191) over the wire")
struct BlockingTests {
    let domain = TestServer.domain

    @Test("Block and unblock: the list, pushes to the resources that asked for it, and disco")
    func listAndPushes() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let desk = try await server.online("alice", resource: "desk")
            let phone = try await server.online("alice", resource: "phone")
            let quiet = try await server.online("alice", resource: "quiet")
            let info = try await desk.query(domain, NS.discoInfo)
            #expect(info.child("query", namespace: NS.discoInfo)?.elements.contains { $0[attribute: "var"] == blockingNS } == true)
            #expect(try await desk.blocklist() == [])
            #expect(try await phone.blocklist() == [])

            let reply = try await desk.blocking("block", ["bob@\(domain)", "Spam.Example"])
            #expect(reply[attribute: "type"] == "result")
            let push = try await phone.expect { $0.name == "iq" && $0.child("block", namespace: blockingNS) != nil }
            #expect(push[attribute: "type"] == "set")
            #expect(push.child("block", namespace: blockingNS)?.elements.compactMap { $0[attribute: "jid"] } == ["bob@\(domain)", "spam.example"])
            _ = try await desk.expect { $0.name == "iq" && $0.child("block", namespace: blockingNS) != nil }
            #expect(try await quiet.blocklist() == ["bob@\(domain)", "spam.example"])

            #expect(try await desk.blocking("unblock", ["spam.example"])[attribute: "type"] == "result")
            let unpush = try await phone.expect { $0.name == "iq" && $0.child("unblock", namespace: blockingNS) != nil }
            #expect(unpush.child("unblock", namespace: blockingNS)?.elements.count == 1)
            #expect(try await desk.blocklist() == ["bob@\(domain)"])
            #expect(try await desk.blocking("unblock", [])[attribute: "type"] == "result")
            _ = try await quiet.expect { $0.name == "iq" && $0.child("unblock", namespace: blockingNS)?.elements.isEmpty == true }
            #expect(try await phone.blocklist() == [])
        }
    }

    @Test("Bad requests and a full list are refused")
    func refusals() async throws {
        try await withServer(configure: { $0.limits.maxBlocklistItems = 2 }) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            #expect(errorCondition(try await alice.blocking("block", [])) == "bad-request")
            #expect(errorCondition(try await alice.blocking("block", ["@@bad"])) == "jid-malformed")
            #expect(try await alice.blocking("block", ["a@example.org", "b@example.org"])[attribute: "type"] == "result")
            #expect(errorCondition(try await alice.blocking("block", ["c@example.org"])) == "not-allowed")
            #expect(try await alice.blocking("block", ["a@example.org"])[attribute: "type"] == "result", "already there: nothing added")
            #expect(try await alice.blocklist() == ["a@example.org", "b@example.org"])
        }
    }

    @Test("A blocked contact's messages and requests are refused; writing to them is refused with <blocked/>",
          arguments: ["bob@\(TestServer.domain)", "bob@\(TestServer.domain)/desk", TestServer.domain])
    func enforcement(item: String) async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob", resource: "desk")
            let bobPhone = try await server.online("bob", resource: "phone")
            try await alice.blocking("block", [item])

            bob.send(message(to: "alice@\(domain)", body: "hello?"))
            let bounced = try await bob.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(bounced) == "service-unavailable")
            let iq = try await bob.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": alice.jid.description],
                                                      children: [.element(XMLElement("query", namespace: NS.version))]))
            #expect(errorCondition(iq) == "service-unavailable")

            alice.send(message(to: bob.jid.description, body: "go away"))
            let refused = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "not-acceptable")
            #expect(refused.child("error", namespace: NS.client)?.child("blocked", namespace: "urn:xmpp:blocking:errors") != nil)

            // A full-JID item leaves the contact's other resources alone.
            bobPhone.send(message(to: "alice@\(domain)", body: "from the phone"))
            if item.hasSuffix("/desk") {
                _ = try await alice.expect { $0.child("body", namespace: NS.client)?.text == "from the phone" }
            } else {
                _ = try await bobPhone.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            }
            for client in [alice, bob] { try await client.ping() }
            #expect(!alice.unclaimed.contains { $0.child("body", namespace: NS.client)?.text == "hello?" })
            #expect(!bob.unclaimed.contains { $0.child("body", namespace: NS.client)?.text == "go away" })

            #expect(try await alice.blocking("unblock", [item])[attribute: "type"] == "result")
            bob.send(message(to: "alice@\(domain)", body: "better now?"))
            _ = try await alice.expect { $0.child("body", namespace: NS.client)?.text == "better now?" }
        }
    }

    @Test("Messages from a blocked contact to an offline account are refused, not stored")
    func offlineOwner() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            try await alice.blocking("block", ["bob@\(domain)"])
            await alice.close()
            let bob = try await server.online("bob")
            bob.send(message(to: "alice@\(domain)", body: "while you were out"))
            let bounced = try await bob.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(bounced) == "service-unavailable")
            #expect(try await server.database.offline.count(owner: "alice@\(domain)") == 0)
        }
    }

    @Test("Blocking sends the contact unavailable presence and stops presence both ways until unblocked")
    func presence() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.befriend(bob)

            try await alice.blocking("block", ["bob@\(domain)"])
            let gone = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" }
            #expect(gone[attribute: "from"] == alice.jid.description)
            let hidden = try await alice.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" }
            #expect(hidden[attribute: "from"] == bob.jid.description)

            var away = XMLElement("presence", namespace: NS.client)
            away.append(XMLElement("show", namespace: NS.client, children: [.text("away")]))
            bob.send(away)
            alice.send(XMLElement("presence", namespace: NS.client))
            for client in [alice, bob] { try await client.ping() }
            #expect(!alice.unclaimed.contains { $0.name == "presence" && $0[attribute: "from"] == bob.jid.description && $0[attribute: "type"] == nil })
            #expect(!bob.unclaimed.contains { $0.name == "presence" && $0[attribute: "from"] == alice.jid.description && $0[attribute: "type"] == nil })

            try await alice.blocking("unblock", ["bob@\(domain)"])
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == nil && $0[attribute: "from"] == alice.jid.description }
            _ = try await alice.expect { $0.name == "presence" && $0[attribute: "type"] == nil && $0[attribute: "from"] == bob.jid.description }
        }
    }

    @Test("Operators read one line per blocklist change, with the count and never the JIDs")
    func operatorLog() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            try await alice.blocking("block", ["secret-contact@example.org", "other@example.org"])
            try await alice.blocking("unblock", [])
            let lines = log.lines("blocklist changed")
            #expect(lines.count == 2)
            #expect(lines.first?.contains("action=block") == true && lines.first?.contains("items=2") == true)
            #expect(lines.last?.contains("action=unblock") == true && lines.last?.contains("account=alice@\(domain)") == true)
            #expect(!lines.contains { $0.contains("secret-contact") })
        }
    }

    @Test("Item matching follows XEP-0191 §7")
    func matching() throws {
        let jid = try JID("Bob@Example.org/desk")
        #expect(Blocklist.items(covering: jid) == ["bob@example.org/desk", "bob@example.org", "example.org/desk", "example.org"])
        #expect(Blocklist.items(covering: try JID("example.org")) == ["example.org"])
        #expect(Blocklist.covers(["example.org/desk"], jid))
        #expect(!Blocklist.covers(["bob@example.org/phone"], jid))
        #expect(!Blocklist.covers(["other.org"], jid))
    }
}
