import PersistentChat
import SalonAdmin
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Followed rooms: bookmarks of rooms a user can no longer join are removed")
struct FollowedRoomsTests {
    let modern = "urn:xmpp:bookmarks:1"
    let legacy = "storage:bookmarks"

    func bookmark(_ client: XMPPClient, _ room: String) async throws {
        let conference = XMLElement("conference", namespace: modern, attributes: ["autojoin": "true", "name": room])
        let published = try await client.request(PubSubWire.publish(node: modern, id: room, payload: conference, options: [
            "pubsub#persist_items": "true", "pubsub#max_items": "max", "pubsub#send_last_published_item": "never",
            "pubsub#access_model": "whitelist",
        ]))
        #expect(published[attribute: "type"] == "result")
    }

    /// The rooms in XEP-0402, then in XEP-0048 private storage.
    func bookmarks(_ client: XMPPClient) async throws -> (modern: Set<String>, legacy: Set<String>) {
        let items = try await client.request(PubSubWire.items(node: modern))
        let stored = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"], children: [
            .element(XMLElement("query", namespace: "jabber:iq:private", children: [.element(XMLElement("storage", namespace: legacy))])),
        ]))
        let conferences = stored.child("query", namespace: "jabber:iq:private")?.child("storage", namespace: legacy)?
            .children("conference", namespace: legacy) ?? []
        return (Set(PubSubWire.itemIDs(items)), Set(conferences.compactMap { $0[attribute: "jid"] }))
    }

    func jid(_ localpart: String) -> String { "\(localpart)@\(chatDomain)" }

    @Test("A ban retracts the room's bookmark to the user's resources; other rooms' bookmarks stay")
    func banRetractsOnline() async throws {
        try await withServer { server async throws in
            let (alice, _) = try await server.aliceAndBob(in: Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open))
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.createRoom(Room(localpart: "cafe", name: "Cafe", category: "Eng", privacy: .open), by: .system)
            }
            let phone = try await server.onlineWithInterest("alice", resource: "phone", nodes: [modern])
            let elsewhere = "lobby@rooms.elsewhere.test"
            for room in [jid("lobby"), jid("cafe"), elsewhere] { try await bookmark(alice, room) }

            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateRoom("lobby", by: .system) { $0.banned.append(.user(server.user("alice"))) }
            }
            let retract = try await phone.expect {
                PubSubWire.isEvent($0, node: self.modern)
                    && $0.child("event", namespace: PubSubWire.event)?.child("items", namespace: PubSubWire.event)?
                        .child("retract", namespace: PubSubWire.event) != nil
            }
            #expect(retract.child("event", namespace: PubSubWire.event)?.child("items", namespace: PubSubWire.event)?
                .child("retract", namespace: PubSubWire.event)?[attribute: "id"] == jid("lobby"))
            await server.server.context!.followedRooms.settled()
            let left = try await bookmarks(phone)
            #expect(left.modern == [jid("cafe"), elsewhere])
            #expect(left.legacy == [jid("cafe"), elsewhere])
        }
    }

    @Test("A bookmark of a room the CLI created a moment ago survives a login check that runs before the server polled")
    func roomCreatedOutsideIsNotTakenForDeleted() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.createCategory(openCategory(), by: .system) }
            let desk = try await server.login("alice", resource: "desk")
            await server.server.context!.followedRooms.settled()
            // What `salon room create` does: a save straight to the database, which the server
            // adopts at its next poll.
            _ = try await ChatAdministration(database: server.database).perform { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createRoom(Room(localpart: "fresh", name: "Fresh", category: "Eng", privacy: .open), by: .system)
            }
            try await bookmark(desk, jid("fresh"))
            // Initial presence queues the login check.
            let phone = try await server.online("alice", resource: "phone")
            await server.server.context!.followedRooms.settled()
            let left = try await bookmarks(phone)
            #expect(left.modern == [jid("fresh")])
            #expect(left.legacy == [jid("fresh")])
        }
    }

    @Test("An offline user's bookmarks lose rooms deleted, disabled, out of scope or no longer theirs")
    func offlineUsersAreCleaned() async throws {
        try await withServer { server async throws in
            for name in ["alice", "carol"] { try await server.addUser(name) }
            let alice = server.user("alice")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                try d.createCategory(Category(name: "Ops", allowed: [.user(alice), .user(server.user("carol"))]), by: .system)
                for localpart in ["gone", "off", "kept"] {
                    _ = try d.createRoom(Room(localpart: localpart, name: localpart, category: "Eng", privacy: .open), by: .system)
                }
                _ = try d.createRoom(Room(localpart: "ops", name: "Operations", category: "Ops", privacy: .open), by: .system)
                _ = try d.createRoom(Room(localpart: "club", name: "Club", category: "Eng", privacy: .closed, members: [.user(alice)]), by: .system)
                _ = try d.createRoom(Room(localpart: "vip", name: "VIP", category: "Eng", privacy: .closed), by: .system)
            }
            let rooms = ["gone", "off", "kept", "ops", "club", "vip"].map(jid)
            let client = try await server.login("alice")
            for room in rooms { try await bookmark(client, room) }
            await client.close()

            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.removeRoom("gone", by: .system) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateRoom("off", by: .system) { $0.disabled = true }
            }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateCategory(named: "Ops", by: .system) { $0.allowed = [.user(server.user("carol"))] }
            }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateRoom("club", by: .system) { $0.members = [] }
                // Alice never could join "vip": a bookmark she keeps for it is not hers to lose.
                _ = try d.updateRoom("vip", by: .system) { $0.disabled = true }
            }
            await server.server.context!.followedRooms.settled()

            let again = try await server.login("alice")
            let left = try await bookmarks(again)
            #expect(left.modern == [jid("kept"), jid("vip")])
            #expect(left.legacy == [jid("kept"), jid("vip")])
        }
    }
}
