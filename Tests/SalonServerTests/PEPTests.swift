import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("XEP-0163 PEP over the wire")
struct PEPTests {
    let domain = TestServer.domain
    let mood = "http://jabber.org/protocol/mood"
    let avatar = "urn:xmpp:avatar:metadata"

    func moodPayload(_ text: String) -> XMLElement {
        XMLElement("mood", namespace: mood, children: [.element(XMLElement(text, namespace: mood))])
    }

    @Test("The account advertises a PEP service with its features and the bookmark compatibility")
    func discovery() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            let info = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": "alice@\(domain)"],
                                                          children: [.element(XMLElement("query", namespace: NS.discoInfo))]))
            let query = try #require(info.child("query", namespace: NS.discoInfo))
            #expect(query.children("identity", namespace: NS.discoInfo).contains { $0[attribute: "category"] == "pubsub" && $0[attribute: "type"] == "pep" })
            let features = Set(query.children("feature", namespace: NS.discoInfo).compactMap { $0[attribute: "var"] })
            for feature in ["publish", "publish-options", "retrieve-items", "retract-items", "delete-nodes", "access-whitelist",
                            "filtered-notifications", "last-published", "config-node", "subscribe"] {
                #expect(features.contains("\(PubSubWire.ns)#\(feature)"), "\(feature)")
            }
            #expect(features.contains("jabber:iq:private"))
            #expect(features.contains("urn:xmpp:bookmarks:1#compat"))
            #expect(features.contains("urn:xmpp:bookmarks:1#compat-pep"))
        }
    }

    @Test("Publish (with and without item ids), items (all, by id, max_items), retract and delete")
    func publishAndRetrieve() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            let configured = try await alice.request(PubSubWire.publish(node: mood, id: "m1", payload: moodPayload("happy"),
                                                                        options: ["pubsub#max_items": "10"]))
            #expect(configured[attribute: "type"] == "result")
            #expect(configured.child("pubsub", namespace: PubSubWire.ns)?.child("publish", namespace: PubSubWire.ns)?
                .child("item", namespace: PubSubWire.ns)?[attribute: "id"] == "m1")
            let generated = try await alice.request(PubSubWire.publish(node: mood, payload: moodPayload("sad")))
            let newID = try #require(generated.child("pubsub", namespace: PubSubWire.ns)?.child("publish", namespace: PubSubWire.ns)?
                .child("item", namespace: PubSubWire.ns)?[attribute: "id"])
            #expect(!newID.isEmpty && newID != "m1")

            #expect(PubSubWire.itemIDs(try await alice.request(PubSubWire.items(node: mood))) == ["m1", newID])
            #expect(PubSubWire.itemIDs(try await alice.request(PubSubWire.items(node: mood, max: 1))) == [newID])
            let byID = try await alice.request(PubSubWire.items(node: mood, ids: ["m1"]))
            #expect(PubSubWire.itemIDs(byID) == ["m1"])
            let item = byID.child("pubsub", namespace: PubSubWire.ns)?.child("items", namespace: PubSubWire.ns)?.child("item", namespace: PubSubWire.ns)
            #expect(item?.child("mood", namespace: mood)?.child("happy", namespace: mood) != nil)

            #expect(try await alice.request(PubSubWire.retract(node: mood, id: "m1"))[attribute: "type"] == "result")
            #expect(errorCondition(try await alice.request(PubSubWire.retract(node: mood, id: "m1"))) == "item-not-found")
            #expect(PubSubWire.itemIDs(try await alice.request(PubSubWire.items(node: mood))) == [newID])

            #expect(try await alice.request(PubSubWire.ownerRequest("set", "delete", node: mood))[attribute: "type"] == "result")
            #expect(errorCondition(try await alice.request(PubSubWire.items(node: mood))) == "item-not-found")
        }
    }

    @Test("Malformed, foreign and oversized requests get XEP-0060 errors")
    func refusals() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.login("alice")
            let noNode = try await alice.request(PubSubWire.iq("set", XMLElement("pubsub", namespace: PubSubWire.ns, children: [
                .element(XMLElement("publish", namespace: PubSubWire.ns)),
            ])))
            #expect(errorCondition(noNode) == "bad-request")
            #expect(PubSubWire.applicationCondition(noNode) == "nodeid-required")

            let empty = try await alice.request(PubSubWire.iq("set", XMLElement("pubsub", namespace: PubSubWire.ns, children: [
                .element(XMLElement("publish", namespace: PubSubWire.ns, attributes: ["node": mood], children: [
                    .element(XMLElement("item", namespace: PubSubWire.ns)),
                ])),
            ])))
            #expect(PubSubWire.applicationCondition(empty) == "payload-required")

            var foreign = PubSubWire.publish(node: mood, payload: moodPayload("happy"))
            foreign[attribute: "to"] = "bob@\(domain)"
            #expect(errorCondition(try await alice.request(foreign)) == "forbidden")

            let huge = textElement("data", namespace: "urn:xmpp:avatar:data", String(repeating: "A", count: 140_000))
            let tooBig = try await alice.request(PubSubWire.publish(node: "urn:xmpp:avatar:data", payload: huge))
            #expect(errorCondition(tooBig) == "not-acceptable")
            #expect(PubSubWire.applicationCondition(tooBig) == "payload-too-big")

            let badOption = try await alice.request(PubSubWire.publish(node: mood, payload: moodPayload("happy"),
                                                                       options: ["pubsub#access_model": "roster"]))
            #expect(errorCondition(badOption) == "not-acceptable")
        }
    }

    @Test("Notifications go to the owner's and contacts' resources that show +notify, and no one else")
    func notifications() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob", "carol", "dave"] { try await server.addUser(name) }
            try await server.befriend("alice", "bob")
            try await server.befriend("alice", "dave")
            let alice = try await server.onlineWithInterest("alice", resource: "desk", nodes: [mood])
            let alicePhone = try await server.onlineWithInterest("alice", resource: "phone", nodes: [mood])
            let bob = try await server.onlineWithInterest("bob", nodes: [mood])
            let carol = try await server.onlineWithInterest("carol", nodes: [mood])
            let dave = try await server.onlineWithInterest("dave", nodes: ["urn:example:other"])

            _ = try await alice.request(PubSubWire.publish(node: mood, id: "now", payload: moodPayload("happy")))
            for client in [alice, alicePhone, bob] {
                let event = try await client.expect { PubSubWire.isEvent($0, node: mood) }
                #expect(event[attribute: "from"] == "alice@\(domain)")
                #expect(PubSubWire.itemIDs(event) == ["now"])
            }
            for client in [carol, dave] {
                try await client.ping()
                #expect(!client.unclaimed.contains { PubSubWire.isEvent($0, node: mood) })
            }

            _ = try await alice.request(PubSubWire.retract(node: mood, id: "now"))
            let retract = try await bob.expect { PubSubWire.isEvent($0, node: mood) }
            #expect(retract.child("event", namespace: PubSubWire.event)?.child("items", namespace: PubSubWire.event)?
                .child("retract", namespace: PubSubWire.event)?[attribute: "id"] == "now")
        }
    }

    @Test("Access models: presence for contacts, open for anyone, whitelist for the owner only")
    func accessModels() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
            try await server.befriend("alice", "bob")
            let alice = try await server.login("alice")
            let bob = try await server.login("bob")
            let carol = try await server.login("carol")
            let owner = "alice@\(domain)"
            _ = try await alice.request(PubSubWire.publish(node: mood, id: "1", payload: moodPayload("happy")))
            #expect(PubSubWire.itemIDs(try await bob.request(PubSubWire.items(node: mood, to: owner))) == ["1"])
            let stranger = try await carol.request(PubSubWire.items(node: mood, to: owner))
            #expect(errorCondition(stranger) == "not-authorized")
            #expect(PubSubWire.applicationCondition(stranger) == "presence-subscription-required")

            _ = try await alice.request(PubSubWire.publish(node: "urn:example:open", id: "1", payload: moodPayload("calm"),
                                                           options: ["pubsub#access_model": "open"]))
            #expect(PubSubWire.itemIDs(try await carol.request(PubSubWire.items(node: "urn:example:open", to: owner))) == ["1"])

            _ = try await alice.request(PubSubWire.publish(node: "urn:example:secret", id: "1", payload: moodPayload("calm"),
                                                           options: ["pubsub#access_model": "whitelist"]))
            let closed = try await bob.request(PubSubWire.items(node: "urn:example:secret", to: owner))
            #expect(errorCondition(closed) == "not-allowed")
            #expect(PubSubWire.applicationCondition(closed) == "closed-node")

            // Nodes listed to each requester as they may read them.
            let listed = try await bob.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": owner],
                                                          children: [.element(XMLElement("query", namespace: NS.discoItems))]))
            let nodes = Set(listed.child("query", namespace: NS.discoItems)?.children("item", namespace: NS.discoItems).compactMap { $0[attribute: "node"] } ?? [])
            #expect(nodes == [mood, "urn:example:open"])
        }
    }

    @Test("Publish options are preconditions on an existing node; the owner reconfigures it")
    func publishOptionsAndConfiguration() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            let devices = "eu.siacs.conversations.axolotl.devicelist"
            _ = try await alice.request(PubSubWire.publish(node: devices, id: "current", payload: moodPayload("a")))
            let mismatch = try await alice.request(PubSubWire.publish(node: devices, id: "current", payload: moodPayload("b"),
                                                                      options: ["pubsub#access_model": "open"]))
            #expect(errorCondition(mismatch) == "conflict")
            #expect(PubSubWire.applicationCondition(mismatch) == "precondition-not-met")

            let form = try await alice.request(PubSubWire.ownerRequest("get", "configure", node: devices))
            let current = try #require(form.child("pubsub", namespace: PubSubWire.owner)?.child("configure", namespace: PubSubWire.owner)?
                .child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(current["pubsub#access_model"]?.value == "presence")

            let open = DataForm(type: .submit, formType: "http://jabber.org/protocol/pubsub#node_config",
                                fields: [DataForm.Field("pubsub#access_model", values: ["open"])])
            #expect(try await alice.request(PubSubWire.ownerRequest("set", "configure", node: devices, form: open))[attribute: "type"] == "result")
            let matching = try await alice.request(PubSubWire.publish(node: devices, id: "current", payload: moodPayload("b"),
                                                                      options: ["pubsub#access_model": "open"]))
            #expect(matching[attribute: "type"] == "result")

            // Explicit creation with a configuration, once; the default configuration on request.
            let whitelist = DataForm(type: .submit, formType: "http://jabber.org/protocol/pubsub#node_config",
                                     fields: [DataForm.Field("pubsub#access_model", values: ["whitelist"])])
            let create = XMLElement("pubsub", namespace: PubSubWire.ns, children: [
                .element(XMLElement("create", namespace: PubSubWire.ns, attributes: ["node": "storage:bookmarks"])),
                .element(XMLElement("configure", namespace: PubSubWire.ns, children: [.element(whitelist.element)])),
            ])
            #expect(try await alice.request(PubSubWire.iq("set", create))[attribute: "type"] == "result")
            #expect(errorCondition(try await alice.request(PubSubWire.iq("set", create))) == "conflict")
            let created = try await alice.request(PubSubWire.ownerRequest("get", "configure", node: "storage:bookmarks"))
            #expect(created.child("pubsub", namespace: PubSubWire.owner)?.child("configure", namespace: PubSubWire.owner)?
                .child("x", namespace: DataForm.namespace).flatMap(DataForm.init)?["pubsub#access_model"]?.value == "whitelist")
            let defaults = try await alice.request(PubSubWire.iq("get", XMLElement("pubsub", namespace: PubSubWire.owner, children: [
                .element(XMLElement("default", namespace: PubSubWire.owner)),
            ])))
            #expect(defaults.child("pubsub", namespace: PubSubWire.owner)?.child("default", namespace: PubSubWire.owner)?
                .child("x", namespace: DataForm.namespace).flatMap(DataForm.init)?["pubsub#max_items"]?.value == "1")
        }
    }

    @Test("A contact coming online with +notify gets the last published item, stamped")
    func lastItemOnPresence() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            try await server.befriend("alice", "bob")
            let alice = try await server.login("alice")
            let metadata = XMLElement("metadata", namespace: avatar, children: [.element(XMLElement("info", namespace: avatar, attributes: [
                "id": "abc", "bytes": "10", "type": "image/png",
            ]))])
            _ = try await alice.request(PubSubWire.publish(node: avatar, id: "abc", payload: metadata))
            let bob = try await server.onlineWithInterest("bob", nodes: [avatar])
            let last = try await bob.expect { PubSubWire.isEvent($0, node: avatar) }
            #expect(last[attribute: "from"] == "alice@\(domain)")
            #expect(PubSubWire.itemIDs(last) == ["abc"])
            #expect(last.child("delay", namespace: NS.delay) != nil)
        }
    }

    @Test("An explicit subscription to an open node brings notifications without capabilities; unsubscribing ends them")
    func explicitSubscription() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("carol")
            let alice = try await server.login("alice")
            let carol = try await server.online("carol")
            let node = "urn:example:blog"
            _ = try await alice.request(PubSubWire.publish(node: node, id: "1", payload: moodPayload("first"), options: ["pubsub#access_model": "open"]))
            let subscribe = PubSubWire.iq("set", to: "alice@\(domain)", XMLElement("pubsub", namespace: PubSubWire.ns, children: [
                .element(XMLElement("subscribe", namespace: PubSubWire.ns, attributes: ["node": node, "jid": carol.jid.bare.description])),
            ]))
            let subscribed = try await carol.request(subscribe)
            #expect(subscribed.child("pubsub", namespace: PubSubWire.ns)?.child("subscription", namespace: PubSubWire.ns)?[attribute: "subscription"] == "subscribed")
            _ = try await carol.expect { PubSubWire.isEvent($0, node: node) && PubSubWire.itemIDs($0) == ["1"] }

            _ = try await alice.request(PubSubWire.publish(node: node, id: "2", payload: moodPayload("second")))
            _ = try await carol.expect { PubSubWire.isEvent($0, node: node) && PubSubWire.itemIDs($0) == ["2"] }

            var unsubscribe = subscribe
            unsubscribe.children = [.element(XMLElement("pubsub", namespace: PubSubWire.ns, children: [
                .element(XMLElement("unsubscribe", namespace: PubSubWire.ns, attributes: ["node": node, "jid": carol.jid.bare.description])),
            ]))]
            #expect(try await carol.request(unsubscribe)[attribute: "type"] == "result")
            _ = try await alice.request(PubSubWire.publish(node: node, id: "3", payload: moodPayload("third")))
            try await carol.ping()
            #expect(!carol.unclaimed.contains { PubSubWire.isEvent($0, node: node) && PubSubWire.itemIDs($0) == ["3"] })
        }
    }

    @Test("A contact whose subscription is approved gets the last item of presence-access nodes")
    func lastItemOnApproval() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            _ = try await alice.request(PubSubWire.publish(node: mood, id: "m", payload: moodPayload("happy")))
            let bob = try await server.onlineWithInterest("bob", nodes: [mood])
            try await bob.ping()
            #expect(!bob.unclaimed.contains { PubSubWire.isEvent($0, node: self.mood) })

            bob.send(XMLElement("presence", namespace: NS.client, attributes: ["type": "subscribe", "to": "alice@\(domain)"]))
            _ = try await alice.expect { $0.name == "presence" && $0[attribute: "type"] == "subscribe" }
            alice.send(XMLElement("presence", namespace: NS.client, attributes: ["type": "subscribed", "to": "bob@\(domain)"]))
            let last = try await bob.expect { PubSubWire.isEvent($0, node: self.mood) }
            #expect(PubSubWire.itemIDs(last) == ["m"])
        }
    }

    @Test("Nodes per account are limited (logged with the account), and a large node is answered with its newest items and a count")
    func limits() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            for index in 0 ..< 256 {
                let reply = try await alice.request(PubSubWire.publish(node: "urn:example:n\(index)", payload: moodPayload("happy")))
                #expect(reply[attribute: "type"] == "result")
            }
            let refused = try await alice.request(PubSubWire.publish(node: "urn:example:one-too-many", payload: moodPayload("happy")))
            #expect(errorCondition(refused) == "policy-violation")
            #expect(log.lines("pep limit reached").contains { $0.contains("account=alice@salon.test") }, "\(log.lines("pep limit reached"))")

            _ = try await alice.request(PubSubWire.ownerRequest("set", "delete", node: "urn:example:n0"))
            #expect(log.lines("pep node created").contains { $0.contains("account=alice@salon.test") && $0.contains("node=urn:example:n0") })
            #expect(log.lines("pep node deleted").contains { $0.contains("account=alice@salon.test") && $0.contains("node=urn:example:n0") })
            let big = String(repeating: "A", count: 120_000)
            for index in 0 ..< 10 {
                let reply = try await alice.request(PubSubWire.publish(node: "urn:xmpp:avatar:data", id: "a\(index)",
                                                                       payload: textElement("data", namespace: "urn:xmpp:avatar:data", big),
                                                                       options: ["pubsub#max_items": "10"]))
                #expect(reply[attribute: "type"] == "result")
            }
            let items = try await alice.request(PubSubWire.items(node: "urn:xmpp:avatar:data"))
            let ids = PubSubWire.itemIDs(items)
            #expect(ids.count < 10 && ids.last == "a9")
            let set = items.child("pubsub", namespace: PubSubWire.ns)?.child("set", namespace: "http://jabber.org/protocol/rsm")
            #expect(set?.child("count", namespace: "http://jabber.org/protocol/rsm")?.text == "10")
        }
    }

    @Test("A contact whose capabilities are still being asked for gets the notification once it answers")
    func notificationWaitsForCapabilities() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            try await server.befriend("alice", "bob")
            let alice = try await server.login("alice")
            let bob = try await server.login("bob")
            var info = XMLElement("query", namespace: NS.discoInfo)
            info.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "client", "type": "pc"]))
            info.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": mood + "+notify"]))
            let ver = CapsCache.verificationHash(info, .sha1)
            bob.send(XMLElement("presence", namespace: NS.client, children: [.element(XMLElement("c", namespace: Caps.ns, attributes: [
                "hash": "sha-1", "node": "urn:salon:slow", "ver": ver,
            ]))]))
            let query = try await bob.expect { $0.name == "iq" && $0.child("query", namespace: NS.discoInfo) != nil }

            // Never sent as a last item, so only the notification itself can bring it.
            _ = try await alice.request(PubSubWire.publish(node: mood, id: "early", payload: moodPayload("happy"),
                                                           options: ["pubsub#send_last_published_item": "never"]))
            try await bob.ping()
            #expect(!bob.unclaimed.contains { PubSubWire.isEvent($0, node: self.mood) })

            bob.send(XMLElement("iq", namespace: NS.client, attributes: [
                "type": "result", "id": query[attribute: "id"]!, "to": query[attribute: "from"]!,
            ], children: [.element(info)]))
            let event = try await bob.expect { PubSubWire.isEvent($0, node: self.mood) }
            #expect(PubSubWire.itemIDs(event) == ["early"])
        }
    }
}
