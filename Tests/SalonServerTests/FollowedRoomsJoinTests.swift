import Foundation
import PersistentChat
import SalonAdmin
import SalonClient
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing
import XMPPCore

@Suite("Followed rooms: an accepted invitation adds a bookmark; rooms lost while the server was down go at login")
struct FollowedRoomsJoinTests {
    let modern = "urn:xmpp:bookmarks:1"
    let legacy = "storage:bookmarks"

    func jid(_ localpart: String) -> String { "\(localpart)@\(chatDomain)" }

    /// Publishes a bookmark as XEP-0402 clients do (§3: the node keeps every item).
    func bookmark(_ client: XMPPClient, _ room: String, _ conference: XMLElement) async throws {
        let published = try await client.request(PubSubWire.publish(node: modern, id: room, payload: conference, options: [
            "pubsub#persist_items": "true", "pubsub#max_items": "max", "pubsub#send_last_published_item": "never",
            "pubsub#access_model": "whitelist",
        ]))
        #expect(published[attribute: "type"] == "result")
    }

    @Test("Joining a room one was invited to bookmarks it with autojoin and the nick; an existing bookmark is kept as it is")
    func invitationAddsBookmark() async throws {
        try await withServer { server async throws in
            for name in ["alice", "carol"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(invitations: true), by: .system)
                for localpart in ["design", "ops"] {
                    _ = try d.createRoom(Room(localpart: localpart, name: localpart.capitalized, category: "Eng",
                                              members: [.user(server.user("alice"))]), by: .system)
                }
            }
            let carol = try await server.onlineWithInterest("carol", nodes: [modern])
            // A bookmark carol already has for "ops" is hers: joining does not replace it.
            let own = XMLElement("conference", namespace: modern, attributes: ["autojoin": "false", "name": "Mine"])
            try await bookmark(carol, jid("ops"), own)
            _ = try await carol.expect { PubSubWire.isEvent($0, node: self.modern) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                for localpart in ["design", "ops"] {
                    _ = try d.updateRoom(localpart, by: .system) { $0.members.append(.user(server.user("carol"))) }
                }
            }
            _ = try await carol.expect { $0.child("x", namespace: "jabber:x:conference")?[attribute: "jid"] == self.jid("design") }
            try await carol.join("ops", as: "Carol")
            try await carol.join("design", as: "Carol")
            let event = try await carol.expect { PubSubWire.isEvent($0, node: self.modern) }
            #expect(PubSubWire.itemIDs(event) == [jid("design")])
            let conference = event.child("event", namespace: PubSubWire.event)?.child("items", namespace: PubSubWire.event)?
                .child("item", namespace: PubSubWire.event)?.child("conference", namespace: modern)
            #expect(conference?[attribute: "autojoin"] == "true")
            #expect(conference?[attribute: "name"] == "Design")
            #expect(conference?.child("nick", namespace: modern)?.text == "Carol")

            await server.server.context!.followedRooms.settled()
            let items = try await carol.request(PubSubWire.items(node: modern))
            #expect(Set(PubSubWire.itemIDs(items)) == [jid("design"), jid("ops")])
            let kept = items.child("pubsub", namespace: PubSubWire.ns)?.child("items", namespace: PubSubWire.ns)?
                .children("item", namespace: PubSubWire.ns).first { $0[attribute: "id"] == jid("ops") }
            #expect(kept?.child("conference", namespace: modern)?[attribute: "name"] == "Mine")
            let stored = try await carol.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"], children: [
                .element(XMLElement("query", namespace: "jabber:iq:private", children: [.element(XMLElement("storage", namespace: legacy))])),
            ]))
            let conferences = stored.child("query", namespace: "jabber:iq:private")?.child("storage", namespace: legacy)?
                .children("conference", namespace: legacy).compactMap { $0[attribute: "jid"] } ?? []
            #expect(Set(conferences) == [jid("design"), jid("ops")])
        }
    }

    @Test("At login, bookmarks of rooms deleted or left behind while the server was down are removed; never-joined ones stay")
    func loginCleanup() async throws {
        let directory = ScratchDirectory.path("salon-test")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await TestServer.start(directory: directory)
        do {
            try await first.addUser("alice")
            let alice = first.user("alice")
            try await first.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                for localpart in ["gone", "kept"] {
                    _ = try d.createRoom(Room(localpart: localpart, name: localpart, category: "Eng", privacy: .open), by: .system)
                }
                for localpart in ["club", "vip"] {
                    _ = try d.createRoom(Room(localpart: localpart, name: localpart, category: "Eng", privacy: .closed,
                                              members: [.user(alice)]), by: .system)
                }
            }
            let client = try await first.online("alice")
            for localpart in ["gone", "kept", "club", "vip"] {
                try await bookmark(client, jid(localpart), XMLElement("conference", namespace: modern, attributes: ["autojoin": "true"]))
            }
            try await client.join("club", as: "Alice")
            await client.close()
            try await first.database.chat.recordJoin(user: alice, room: "club")
        } catch {
            await first.stop()
            throw error
        }
        await first.stop()

        // While the server is down: one room deleted, alice taken out of two rooms, one of which she never joined.
        let offline = try await TestServer.openStore(directory: directory)
        _ = try await ChatAdministration(database: offline).perform { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.removeRoom("gone", by: .system)
            for localpart in ["club", "vip"] { _ = try d.updateRoom(localpart, by: .system) { $0.members = [] } }
        }
        try await offline.shutdown()

        let second = try await TestServer.start(directory: directory)
        do {
            let client = try await second.online("alice")
            await second.server.context!.followedRooms.settled()
            let items = try await client.request(PubSubWire.items(node: modern))
            #expect(Set(PubSubWire.itemIDs(items)) == [jid("kept"), jid("vip")])
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()
    }
}
