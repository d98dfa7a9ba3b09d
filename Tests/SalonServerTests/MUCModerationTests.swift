import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

private let moderate1 = "urn:xmpp:message-moderate:1"
private let retract1 = "urn:xmpp:message-retract:1"
private let moderate0 = "urn:xmpp:message-moderate:0"
private let retract0 = "urn:xmpp:message-retract:0"
private let fasten = "urn:xmpp:fasten:0"

@Suite("Message moderation by managers (XEP-0425, legacy XEP-0422 wrapper)")
struct MUCModerationTests {
    let room = "design@\(chatDomain)"

    /// alice manages and belongs to Design; bob is a member; carol manages only Ops.
    func setUp(_ server: TestServer) async throws -> (alice: XMPPClient, bob: XMPPClient) {
        for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(), by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng",
                                      members: [.user("alice@salon.test"), .user("bob@salon.test")],
                                      managers: [.user("alice@salon.test")]), by: .system)
            _ = try d.createRoom(Room(localpart: "ops", name: "Ops", category: "Eng", privacy: .open,
                                      managers: [.user("carol@salon.test")]), by: .system)
        }
        let alice = try await server.online("alice")
        try await alice.join("design", as: "Alice")
        let bob = try await server.online("bob")
        try await bob.join("design", as: "Bob")
        return (alice, bob)
    }

    /// bob posts `body`; returns the room's stanza-id of it, as alice heard it.
    func post(_ body: String, by bob: XMPPClient, heardBy alice: XMPPClient) async throws -> String {
        bob.say("design", body)
        _ = try await bob.heard(in: "design")
        let heard = try await alice.heard(in: "design")
        return try #require(heard.child("stanza-id", namespace: MUC.stanzaID)?[attribute: "id"])
    }

    func request(_ id: String?, reason: String? = "off topic") -> XMLElement {
        var moderate = XMLElement("moderate", namespace: moderate1, attributes: id.map { ["id": $0] } ?? [:])
        moderate.append(XMLElement("retract", namespace: retract1))
        if let reason { moderate.append(.text("reason", namespace: moderate1, reason)) }
        return XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": room], children: [.element(moderate)])
    }

    func legacyRequest(_ id: String) -> XMLElement {
        let moderate = XMLElement("moderate", namespace: moderate0, children: [
            .element(XMLElement("retract", namespace: retract0)), .element(.text("reason", namespace: moderate0, "spam")),
        ])
        return XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": room], children: [
            .element(XMLElement("apply-to", namespace: fasten, attributes: ["id": id], children: [.element(moderate)])),
        ])
    }

    @Test("A manager moderates in their room: both retraction forms reach occupants, the tombstone names the manager")
    func managerModerates() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            let target = try await post("buy cheap watches", by: bob, heardBy: alice)
            #expect(try await alice.request(request(target))[attribute: "type"] == "result")

            let notice = try await bob.expect { $0.child("retract", namespace: retract1) != nil }
            #expect(notice[attribute: "from"] == room)
            let retraction = try #require(notice.child("retract", namespace: retract1))
            #expect(retraction[attribute: "id"] == target)
            let moderated = try #require(retraction.child("moderated", namespace: moderate1))
            #expect(moderated[attribute: "by"] == "\(room)/Alice")
            #expect(moderated.child("occupant-id", namespace: MUC.occupantID)?[attribute: "id"]?.isEmpty == false)
            #expect(retraction.child("reason", namespace: retract1)?.text == "off topic")
            // The legacy form, in the same message.
            let applyTo = try #require(notice.child("apply-to", namespace: fasten))
            #expect(applyTo[attribute: "id"] == target)
            let legacy = try #require(applyTo.child("moderated", namespace: moderate0))
            #expect(legacy[attribute: "by"] == "\(room)/Alice")
            #expect(legacy.child("retract", namespace: retract0) != nil)
            #expect(legacy.child("reason", namespace: moderate0)?.text == "off topic")

            let tomb = try #require(try await alice.archive(room, fields: ["ids": [target]]).results.first)
            let retracted = forwarded(tomb)?.child("retracted", namespace: retract1)
            #expect(retracted?.child("moderated", namespace: moderate1)?[attribute: "by"] == "alice@salon.test")
            #expect(forwarded(tomb)?.child("body", namespace: NS.client) == nil)
        }
    }

    @Test("Members and managers of other rooms may not moderate; a request without an id is a bad request")
    func othersRefused() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            let target = try await post("keep me", by: bob, heardBy: alice)
            let byMember = try await bob.request(request(target))
            #expect(errorCondition(byMember) == "forbidden")
            let carol = try await server.online("carol")
            #expect(errorCondition(try await carol.request(request(target))) == "forbidden")
            #expect(errorCondition(try await alice.request(request(nil))) == "bad-request")
            #expect(errorCondition(try await alice.request(request("no-such-id"))) == "item-not-found")
            // Still there.
            #expect(bodies(try await alice.archive(room, fields: ["ids": [target]]).results) == ["keep me"])
        }
    }

    @Test("The legacy apply-to request (XEP-0425 0.2) moderates too")
    func legacyRequestModerates() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            let target = try await post("old client target", by: bob, heardBy: alice)
            #expect(try await alice.request(legacyRequest(target))[attribute: "type"] == "result")
            let notice = try await bob.expect { $0.child("apply-to", namespace: fasten) != nil }
            #expect(notice.child("apply-to", namespace: fasten)?.child("moderated", namespace: moderate0)?.child("reason", namespace: moderate0)?.text == "spam")
            #expect(bodies(try await alice.archive(room, fields: ["ids": [target]]).results).isEmpty)
        }
    }
}
