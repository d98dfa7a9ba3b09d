import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// XEP-0060 subscriptions and affiliations on personal nodes (§5.6, §5.7, §8.8, §8.9).
@Suite("PEP subscriptions and affiliations")
struct PEPAffiliationTests {
    let domain = TestServer.domain
    let secret = "urn:example:secret"
    let notes = "urn:example:notes"

    private func note(_ text: String) -> XMLElement {
        textElement("note", namespace: "urn:example:payload", text)
    }

    private func ownerList(_ verb: String, node: String, entries: [(jid: String, value: String)]? = nil) -> XMLElement {
        var element = XMLElement(verb, namespace: PubSubWire.owner, attributes: ["node": node])
        let name = verb == "affiliations" ? "affiliation" : "subscription"
        for entry in entries ?? [] {
            element.append(XMLElement(name, namespace: PubSubWire.owner, attributes: ["jid": entry.jid, name: entry.value]))
        }
        return PubSubWire.iq(entries == nil ? "get" : "set", XMLElement("pubsub", namespace: PubSubWire.owner, children: [.element(element)]))
    }

    private func userList(_ verb: String, to: String, node: String? = nil) -> XMLElement {
        PubSubWire.iq("get", to: to, XMLElement("pubsub", namespace: PubSubWire.ns, children: [
            .element(XMLElement(verb, namespace: PubSubWire.ns, attributes: node.map { ["node": $0] } ?? [:])),
        ]))
    }

    private func entries(_ reply: XMLElement, _ verb: String, namespace: String, key: String) -> [String: String] {
        let name = verb == "affiliations" ? "affiliation" : "subscription"
        let list = reply.child("pubsub", namespace: namespace)?.child(verb, namespace: namespace)?.children(name, namespace: namespace) ?? []
        return Dictionary(list.map { ($0[attribute: key] ?? "", $0[attribute: name] ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    @Test("A member reads a whitelist node and is notified of it; an outcast reads nothing; the owner lists and changes them")
    func whitelistMembers() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.login("alice")
            let bob = try await server.onlineWithInterest("bob", nodes: [secret])
            #expect(try await alice.request(PubSubWire.publish(node: secret, id: "s1", payload: note("one"),
                                                               options: ["pubsub#access_model": "whitelist"]))[attribute: "type"] == "result")
            #expect(try await alice.request(PubSubWire.publish(node: notes, id: "n1", payload: note("open"),
                                                               options: ["pubsub#access_model": "open"]))[attribute: "type"] == "result")
            let closed = try await bob.request(PubSubWire.items(node: secret, to: "alice@\(domain)"))
            #expect(errorCondition(closed) == "not-allowed")
            #expect(PubSubWire.applicationCondition(closed) == "closed-node")

            let initial = try await alice.request(ownerList("affiliations", node: secret))
            #expect(entries(initial, "affiliations", namespace: PubSubWire.owner, key: "jid") == ["alice@\(domain)": "owner"])
            let set = try await alice.request(ownerList("affiliations", node: secret, entries: [(jid: "bob@\(domain)/phone", value: "member")]))
            #expect(set[attribute: "type"] == "result")
            let listed = try await alice.request(ownerList("affiliations", node: secret))
            #expect(entries(listed, "affiliations", namespace: PubSubWire.owner, key: "jid") == ["alice@\(domain)": "owner", "bob@\(domain)": "member"])

            #expect(PubSubWire.itemIDs(try await bob.request(PubSubWire.items(node: secret, to: "alice@\(domain)"))) == ["s1"])
            let mine = try await bob.request(userList("affiliations", to: "alice@\(domain)"))
            #expect(entries(mine, "affiliations", namespace: PubSubWire.ns, key: "node") == [secret: "member"])
            let owned = try await alice.request(userList("affiliations", to: "alice@\(domain)"))
            #expect(entries(owned, "affiliations", namespace: PubSubWire.ns, key: "node") == [secret: "owner", notes: "owner"])

            // A member with +notify interest is told of a new item.
            #expect(try await alice.request(PubSubWire.publish(node: secret, id: "s2", payload: note("two")))[attribute: "type"] == "result")
            let event = try await bob.expect { PubSubWire.isEvent($0, node: secret) }
            #expect(PubSubWire.itemIDs(event) == ["s2"])

            // An outcast reads nothing, even an open node, and loses its subscription.
            #expect(try await bob.request(PubSubWire.iq("set", to: "alice@\(domain)", XMLElement("pubsub", namespace: PubSubWire.ns, children: [
                .element(XMLElement("subscribe", namespace: PubSubWire.ns, attributes: ["node": notes, "jid": bob.jid.description])),
            ])))[attribute: "type"] == "result")
            #expect(try await alice.request(ownerList("affiliations", node: notes, entries: [(jid: "bob@\(domain)", value: "outcast")]))[attribute: "type"] == "result")
            #expect(errorCondition(try await bob.request(PubSubWire.items(node: notes, to: "alice@\(domain)"))) == "forbidden")
            #expect(entries(try await bob.request(userList("subscriptions", to: "alice@\(domain)")), "subscriptions",
                            namespace: PubSubWire.ns, key: "node").isEmpty)

            // Back to none: the whitelist node is closed again.
            #expect(try await alice.request(ownerList("affiliations", node: secret, entries: [(jid: "bob@\(domain)", value: "none")]))[attribute: "type"] == "result")
            #expect(errorCondition(try await bob.request(PubSubWire.items(node: secret, to: "alice@\(domain)"))) == "not-allowed")

            // Refusals: values a personal node has no use for, the owner itself, a missing node, a non-owner.
            #expect(errorCondition(try await alice.request(ownerList("affiliations", node: secret, entries: [(jid: "bob@\(domain)", value: "publisher")]))) == "not-acceptable")
            #expect(errorCondition(try await alice.request(ownerList("affiliations", node: secret, entries: [(jid: "alice@\(domain)", value: "outcast")]))) == "not-acceptable")
            #expect(errorCondition(try await alice.request(ownerList("affiliations", node: "urn:example:none"))) == "item-not-found")
            var foreign = ownerList("affiliations", node: secret)
            foreign[attribute: "to"] = "alice@\(domain)"
            #expect(errorCondition(try await bob.request(foreign)) == "forbidden")
        }
    }

    @Test("Subscribers list their subscriptions; the owner lists a node's subscribers, adds and ends them")
    func subscriptions() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.login("alice")
            let bob = try await server.login("bob")
            #expect(try await alice.request(PubSubWire.publish(node: notes, id: "n1", payload: note("open"),
                                                               options: ["pubsub#access_model": "open"]))[attribute: "type"] == "result")
            #expect(try await bob.request(PubSubWire.iq("set", to: "alice@\(domain)", XMLElement("pubsub", namespace: PubSubWire.ns, children: [
                .element(XMLElement("subscribe", namespace: PubSubWire.ns, attributes: ["node": notes, "jid": bob.jid.description])),
            ])))[attribute: "type"] == "result")
            let mine = try await bob.request(userList("subscriptions", to: "alice@\(domain)", node: notes))
            #expect(entries(mine, "subscriptions", namespace: PubSubWire.ns, key: "jid") == [bob.jid.description: "subscribed"])
            let theirs = try await alice.request(ownerList("subscriptions", node: notes))
            #expect(entries(theirs, "subscriptions", namespace: PubSubWire.owner, key: "jid") == [bob.jid.description: "subscribed"])

            #expect(try await alice.request(ownerList("subscriptions", node: notes, entries: [
                (jid: bob.jid.description, value: "none"), (jid: "carol@\(domain)", value: "subscribed"),
            ]))[attribute: "type"] == "result")
            let after = try await alice.request(ownerList("subscriptions", node: notes))
            #expect(entries(after, "subscriptions", namespace: PubSubWire.owner, key: "jid") == ["carol@\(domain)": "subscribed"])
            #expect(entries(try await bob.request(userList("subscriptions", to: "alice@\(domain)")), "subscriptions",
                            namespace: PubSubWire.ns, key: "jid").isEmpty)
            #expect(errorCondition(try await alice.request(ownerList("subscriptions", node: notes, entries: [(jid: "bob@\(domain)", value: "pending")]))) == "not-acceptable")
        }
    }
}
