import SalonClient
import Testing
import XMPPCore

@Suite("Bookmarks: XEP-0402 kept in sync with XEP-0048 in private storage and PEP")
struct BookmarkSyncTests {
    let domain = TestServer.domain
    let modern = "urn:xmpp:bookmarks:1"
    let legacy = "storage:bookmarks"
    let room = "coven@rooms.salon.test"

    var modernOptions: [String: String] {
        ["pubsub#persist_items": "true", "pubsub#max_items": "max", "pubsub#send_last_published_item": "never", "pubsub#access_model": "whitelist"]
    }

    func conference(name: String, nick: String) -> XMLElement {
        XMLElement("conference", namespace: modern, attributes: ["name": name, "autojoin": "true"], children: [
            .element(textElement("nick", namespace: modern, nick)),
        ])
    }

    func legacyStorage(_ conferences: [(jid: String, name: String)]) -> XMLElement {
        XMLElement("storage", namespace: legacy, children: conferences.map { entry in
            .element(XMLElement("conference", namespace: legacy, attributes: ["jid": entry.jid, "name": entry.name, "autojoin": "true"],
                                children: [.element(textElement("nick", namespace: legacy, "witch"))]))
        })
    }

    func privateBookmarks(_ client: XMPPClient) async throws -> [XMLElement] {
        let reply = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"], children: [
            .element(XMLElement("query", namespace: "jabber:iq:private", children: [.element(XMLElement("storage", namespace: legacy))])),
        ]))
        return reply.child("query", namespace: "jabber:iq:private")?.child("storage", namespace: legacy)?.children("conference", namespace: legacy) ?? []
    }

    @Test("A XEP-0402 bookmark reaches the other resource, private storage and the XEP-0048 PEP node")
    func modernToLegacy() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let desk = try await server.onlineWithInterest("alice", resource: "desk", nodes: [modern])
            let phone = try await server.onlineWithInterest("alice", resource: "phone", nodes: [modern])
            let published = try await desk.request(PubSubWire.publish(node: modern, id: room, payload: conference(name: "The Coven", nick: "witch"),
                                                                      options: modernOptions))
            #expect(published[attribute: "type"] == "result")
            let event = try await phone.expect { PubSubWire.isEvent($0, node: self.modern) }
            #expect(PubSubWire.itemIDs(event) == [room])

            let fromPrivate = try await privateBookmarks(phone)
            #expect(fromPrivate.map { $0[attribute: "jid"] } == [room])
            #expect(fromPrivate.first?[attribute: "name"] == "The Coven")
            #expect(fromPrivate.first?.child("nick", namespace: legacy)?.text == "witch")

            let legacyPEP = try await phone.request(PubSubWire.items(node: legacy))
            let storage = legacyPEP.child("pubsub", namespace: PubSubWire.ns)?.child("items", namespace: PubSubWire.ns)?
                .child("item", namespace: PubSubWire.ns)?.child("storage", namespace: legacy)
            #expect(storage?.children("conference", namespace: legacy).map { $0[attribute: "jid"] } == [room])

            _ = try await desk.request(PubSubWire.retract(node: modern, id: room))
            _ = try await phone.expect { PubSubWire.isEvent($0, node: self.modern) }
            #expect(try await privateBookmarks(phone).isEmpty)
        }
    }

    @Test("XEP-0048 bookmarks set in private storage become XEP-0402 items, removals become retractions")
    func privateToModern() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let old = try await server.login("alice", resource: "old-client")
            let modernClient = try await server.onlineWithInterest("alice", resource: "new-client", nodes: [modern])
            let other = "sabbath@rooms.salon.test"
            let set = XMLElement("iq", namespace: NS.client, attributes: ["type": "set"], children: [
                .element(XMLElement("query", namespace: "jabber:iq:private", children: [
                    .element(legacyStorage([(room, "The Coven"), (other, "Sabbath")])),
                ])),
            ])
            #expect(try await old.request(set)[attribute: "type"] == "result")
            var seen: Set<String> = []
            while seen.count < 2 {
                let event = try await modernClient.expect { PubSubWire.isEvent($0, node: self.modern) }
                seen.formUnion(PubSubWire.itemIDs(event))
            }
            #expect(seen == [room, other])
            let items = try await modernClient.request(PubSubWire.items(node: modern))
            #expect(Set(PubSubWire.itemIDs(items)) == [room, other])
            let conference = items.child("pubsub", namespace: PubSubWire.ns)?.child("items", namespace: PubSubWire.ns)?
                .children("item", namespace: PubSubWire.ns).first { $0[attribute: "id"] == room }?.child("conference", namespace: modern)
            #expect(conference?[attribute: "name"] == "The Coven")
            #expect(conference?[attribute: "autojoin"] == "true")
            #expect(conference?.child("nick", namespace: modern)?.text == "witch")

            var removal = set
            removal.children = [.element(XMLElement("query", namespace: "jabber:iq:private", children: [.element(legacyStorage([(room, "The Coven")]))]))]
            #expect(try await old.request(removal)[attribute: "type"] == "result")
            let retract = try await modernClient.expect {
                PubSubWire.isEvent($0, node: self.modern)
                    && $0.child("event", namespace: PubSubWire.event)?.child("items", namespace: PubSubWire.event)?.child("retract", namespace: PubSubWire.event) != nil
            }
            #expect(retract.child("event", namespace: PubSubWire.event)?.child("items", namespace: PubSubWire.event)?
                .child("retract", namespace: PubSubWire.event)?[attribute: "id"] == other)
            #expect(PubSubWire.itemIDs(try await modernClient.request(PubSubWire.items(node: modern))) == [room])
        }
    }

    @Test("XEP-0048 bookmarks published to PEP reach XEP-0402 and private storage")
    func legacyPEPToOthers() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            let published = try await alice.request(PubSubWire.publish(node: legacy, id: "current", payload: legacyStorage([(room, "The Coven")])))
            #expect(published[attribute: "type"] == "result")
            #expect(PubSubWire.itemIDs(try await alice.request(PubSubWire.items(node: modern))) == [room])
            #expect(try await privateBookmarks(alice).map { $0[attribute: "jid"] } == [room])
        }
    }
}
