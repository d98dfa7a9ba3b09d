import Foundation
import SalonClient
import Testing
import XMPPCore

/// `limits.max_roster_items`: a roster stops growing at the cap, with a clear error.
@Suite("Roster size cap over the wire")
struct RosterLimitTests {
    let domain = TestServer.domain

    func rosterSet(_ client: XMPPClient, _ jid: String, name: String? = nil, remove: Bool = false) async throws -> XMLElement {
        var attributes = ["jid": jid]
        if let name { attributes["name"] = name }
        if remove { attributes["subscription"] = "remove" }
        let item = XMLElement("item", namespace: NS.roster, attributes: attributes)
        return try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                                   children: [.element(XMLElement("query", namespace: NS.roster, children: [.element(item)]))]))
    }

    func rosterJIDs(_ client: XMPPClient) async throws -> [String] {
        let roster = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"],
                                                         children: [.element(XMLElement("query", namespace: NS.roster))]))
        return roster.child("query", namespace: NS.roster)?.children("item", namespace: NS.roster).compactMap { $0[attribute: "jid"] } ?? []
    }

    @Test("A roster set beyond the cap gets not-allowed with a text; edits and removals still work")
    func rosterSetCap() async throws {
        try await withServer(configure: { $0.limits.maxRosterItems = 3 }) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            for contact in ["a", "b", "c"] {
                #expect(try await rosterSet(alice, "\(contact)@\(domain)")[attribute: "type"] == "result")
            }
            let refused = try await rosterSet(alice, "d@\(domain)")
            #expect(refused[attribute: "type"] == "error")
            #expect(errorCondition(refused) == "not-allowed")
            let text = refused.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text ?? ""
            #expect(text.contains("at most 3"), "\(text)")

            #expect(try await rosterSet(alice, "a@\(domain)", name: "Renamed")[attribute: "type"] == "result")
            #expect(try await rosterSet(alice, "b@\(domain)", remove: true)[attribute: "type"] == "result")
            #expect(try await rosterSet(alice, "d@\(domain)")[attribute: "type"] == "result")
            #expect(try await rosterJIDs(alice).sorted() == ["a@\(domain)", "c@\(domain)", "d@\(domain)"])
        }
    }

    @Test("A subscription request that would add a contact to a full roster is refused and not forwarded")
    func subscriptionCap() async throws {
        try await withServer(configure: { $0.limits.maxRosterItems = 1 }) { server async throws in
            for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let carol = try await server.online("carol")
            #expect(try await rosterSet(alice, "bob@\(domain)")[attribute: "type"] == "result")

            // bob is on the roster already: subscribing to him fits.
            alice.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "bob@\(domain)", "type": "subscribe"]))
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "subscribe" }

            alice.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "carol@\(domain)", "type": "subscribe"]))
            let refused = try await alice.expect { $0.name == "presence" && $0[attribute: "type"] == "error" }
            #expect(refused[attribute: "from"] == "carol@\(domain)")
            #expect(errorCondition(refused) == "not-allowed")
            try await carol.ping()
            #expect(!carol.unclaimed.contains { $0.name == "presence" && $0[attribute: "type"] == "subscribe" })
            #expect(try await rosterJIDs(alice) == ["bob@\(domain)"])
        }
    }
}
