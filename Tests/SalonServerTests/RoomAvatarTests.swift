import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

private let vCardNS = "vcard-temp"

private func roomCard(photo: String?) -> XMLElement {
    var card = XMLElement("vCard", namespace: vCardNS)
    if let photo {
        card.append(XMLElement("PHOTO", namespace: vCardNS, children: [
            .element(textElement("TYPE", namespace: vCardNS, "image/png")), .element(textElement("BINVAL", namespace: vCardNS, photo)),
        ]))
    }
    return card
}

private func setVCard(_ client: XMPPClient, _ room: String, _ card: XMLElement) async throws -> XMLElement {
    try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": "\(room)@\(chatDomain)"],
                                        children: [.element(card)]))
}

/// The room-info form of the room's disco#info, and its features.
private func roomInfo(_ client: XMPPClient, _ room: String) async throws -> (form: DataForm?, features: [String]) {
    let info = try await client.query("\(room)@\(chatDomain)", NS.discoInfo)
    let query = info.child("query", namespace: NS.discoInfo)
    return (query?.child("x", namespace: DataForm.namespace).flatMap(DataForm.init),
            query?.children("feature", namespace: NS.discoInfo).compactMap { $0[attribute: "var"] } ?? [])
}

@Suite("Room avatars (vCard on the room JID, XEP-0486) over the wire")
struct RoomAvatarTests {
    @Test("A manager sets the room vCard; occupants get status 104, a member reads it and sees the hash in disco#info; empty removes it")
    func setReadRemove() async throws {
        try await withServer { server async throws in
            let room = Room(localpart: "club", name: "Club", category: "Eng", privacy: .closed,
                            members: [.user(server.user("alice")), .user(server.user("bob"))], managers: [.user(server.user("alice"))])
            let (alice, bob) = try await server.aliceAndBob(in: room)
            let before = try await roomInfo(bob, "club")
            #expect(before.features.contains(vCardNS))
            #expect(before.form?.values("muc#roominfo_avatarhash") == [])
            let service = try await bob.query(chatDomain, NS.discoInfo)
            #expect(service.child("query", namespace: NS.discoInfo)?.children("feature", namespace: NS.discoInfo)
                .contains { $0[attribute: "var"] == vCardNS } == true)

            let set = try await setVCard(alice, "club", roomCard(photo: tinyPNG))
            #expect(set[attribute: "type"] == "result")
            let notice = try await bob.expect { $0.name == "message" && statusCodes($0).contains(104) }
            #expect(notice[attribute: "type"] == "groupchat")
            #expect(statusCodes(notice) == [104])
            let read = try await bob.query("club@\(chatDomain)", vCardNS, name: "vCard")
            #expect(read.child("vCard", namespace: vCardNS)?.child("PHOTO", namespace: vCardNS)?.child("BINVAL", namespace: vCardNS)?.text == tinyPNG)
            let after = try await roomInfo(bob, "club")
            #expect(after.form?.values("muc#roominfo_avatarhash") == [tinyPNGHash])
            #expect(after.form?["muc#roominfo_avatarhash"]?.type == "text-multi")

            let cleared = try await setVCard(alice, "club", roomCard(photo: nil))
            #expect(cleared[attribute: "type"] == "result")
            let again = try await bob.expect { $0.name == "message" && statusCodes($0).contains(104) }
            #expect(statusCodes(again) == [104])
            #expect(try await roomInfo(bob, "club").form?.values("muc#roominfo_avatarhash") == [])
            let empty = try await bob.query("club@\(chatDomain)", vCardNS, name: "vCard")
            #expect(empty.child("vCard", namespace: vCardNS)?.elements.isEmpty == true)
        }
    }

    @Test("Only managers set it (forbidden), it is size-limited (not-acceptable), outsiders of a Secret room find nothing")
    func refusals() async throws {
        try await withServer(configure: { $0.limits.maxVCardBytes = 2048 }) { server async throws in
            let room = Room(localpart: "club", name: "Club", category: "Eng", privacy: .secret,
                            members: [.user(server.user("alice")), .user(server.user("bob"))], managers: [.user(server.user("alice"))])
            let (alice, bob) = try await server.aliceAndBob(in: room, users: ["alice", "bob", "carol"])
            let forbidden = try await setVCard(bob, "club", roomCard(photo: tinyPNG))
            #expect(errorCondition(forbidden) == "forbidden")
            let big = try await setVCard(alice, "club", roomCard(photo: String(repeating: "A", count: 4096)))
            #expect(errorCondition(big) == "not-acceptable")
            let carol = try await server.online("carol")
            let hidden = try await carol.query("club@\(chatDomain)", vCardNS, name: "vCard")
            #expect(errorCondition(hidden) == "item-not-found")
            let set = try await setVCard(carol, "club", roomCard(photo: tinyPNG))
            #expect(errorCondition(set) == "item-not-found")
            #expect(try await server.database.chat.roomVCard(room: "club") == nil)
        }
    }

    @Test("Deleting the room deletes its vCard")
    func deletion() async throws {
        try await withServer { server async throws in
            let room = Room(localpart: "club", name: "Club", category: "Eng", privacy: .open, managers: [.user(server.user("alice"))])
            let (alice, _) = try await server.aliceAndBob(in: room)
            _ = try await setVCard(alice, "club", roomCard(photo: tinyPNG))
            #expect(try await server.database.chat.roomVCard(room: "club")?.photoHash == tinyPNGHash)
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.removeRoom("club", by: .system) }
            #expect(try await server.database.chat.roomVCard(room: "club") == nil)
        }
    }
}
