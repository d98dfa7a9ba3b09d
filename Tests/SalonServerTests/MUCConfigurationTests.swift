import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Room configuration, subject, invitations and history policy over the wire")
struct MUCConfigurationTests {
    let owner = "http://jabber.org/protocol/muc#owner"

    func setUp(_ server: TestServer, invitations: Bool = true, history: Bool = true) async throws {
        for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(invitations: invitations, history: history), by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng",
                                      members: [.user("alice@salon.test"), .user("bob@salon.test")],
                                      managers: [.user("alice@salon.test")]), by: .system)
        }
    }

    @Test("A manager reconfigures the room through the form; the rules still apply to what it submits")
    func configurationForm() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            let carol = try await server.online("carol")
            #expect(try await carol.listedRooms() == ["design@\(chatDomain)"])

            let form = try await alice.query("design@\(chatDomain)", owner)
            let fields = try #require(form.child("query", namespace: owner)?.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(fields.values("muc#roomconfig_roomname") == ["Design"])
            #expect(fields.values("urn:salon:persistent-chat#privacy") == ["closed"])
            #expect(fields.values("urn:salon:persistent-chat#members").sorted() == ["alice@salon.test", "bob@salon.test"])

            let secret = DataForm(type: .submit, formType: "http://jabber.org/protocol/muc#roomconfig", fields: [
                DataForm.Field("urn:salon:persistent-chat#privacy", values: ["secret"]),
                DataForm.Field("muc#roomconfig_roomdesc", values: ["Reviews of designs"]),
            ])
            let saved = try await alice.query("design@\(chatDomain)", owner, type: "set", [secret.element])
            #expect(saved[attribute: "type"] == "result")
            #expect(try await carol.listedRooms().isEmpty)

            // A member who is not a manager cannot configure.
            let bob = try await server.online("bob")
            let refused = try await bob.query("design@\(chatDomain)", owner)
            #expect(errorCondition(refused) == "forbidden")

            // An Open room has no member list: adding a member to one is refused, in the rules' words.
            let open = DataForm(type: .submit, formType: "http://jabber.org/protocol/muc#roomconfig", fields: [
                DataForm.Field("urn:salon:persistent-chat#privacy", values: ["open"]),
                DataForm.Field("urn:salon:persistent-chat#members", values: ["alice@salon.test", "bob@salon.test", "carol@salon.test"]),
            ])
            let invalid = try await alice.query("design@\(chatDomain)", owner, type: "set", [open.element])
            #expect(errorCondition(invalid) == "not-acceptable")
            #expect(server.server.context?.muc.directory.rooms["design"]?.privacy == .secret)
        }
    }

    @Test("Only managers change the subject; occupants see it, also when they join later")
    func subject() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.join("design", as: "Alice")
            try await bob.join("design", as: "Bob")
            bob.send(XMLElement("message", namespace: NS.client, attributes: ["to": "design@\(chatDomain)", "type": "groupchat"],
                                children: [.element(.text("subject", namespace: NS.client, "mine now"))]))
            let refused = try await bob.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "forbidden")
            alice.send(XMLElement("message", namespace: NS.client, attributes: ["to": "design@\(chatDomain)", "type": "groupchat"],
                                  children: [.element(.text("subject", namespace: NS.client, "Sprint 12"))]))
            let changed = try await bob.expect { $0.child("subject", namespace: NS.client)?.text == "Sprint 12" }
            #expect(changed[attribute: "from"] == "design@\(chatDomain)/Alice")
            let carolLater = try await server.online("bob", resource: "second")
            try await carolLater.join("design", as: "Bob2")
            _ = try await carolLater.expect { $0.child("subject", namespace: NS.client)?.text == "Sprint 12" }
        }
    }

    @Test("Mediated invitations come from members and managers, only where invitations are on")
    func mediatedInvitations() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let carol = try await server.online("carol")
            func invite(_ from: XMPPClient, _ to: String) {
                from.send(XMLElement("message", namespace: NS.client, attributes: ["to": "design@\(chatDomain)"], children: [
                    .element(XMLElement("x", namespace: mucUser, children: [
                        .element(XMLElement("invite", namespace: mucUser, attributes: ["to": to])),
                    ])),
                ]))
            }
            invite(carol, "bob@salon.test")
            let refused = try await carol.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "forbidden")
            invite(bob, "carol@salon.test")
            let received = try await carol.expect { $0.child("x", namespace: mucUser)?.child("invite", namespace: mucUser) != nil }
            #expect(received[attribute: "from"] == "design@\(chatDomain)")
            #expect(received.child("x", namespace: mucUser)?.child("invite", namespace: mucUser)?[attribute: "from"] == "bob@salon.test")
            // A member's invitation does not change the member list.
            #expect(try await server.database.chat.loadDirectory().rooms["design"]?.members.count == 2)

            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateRoom("design", by: .system) { (r: inout Room) throws(ChatRuleError) in r.invitations = .off }
            }
            invite(alice, "carol@salon.test")
            let off = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(off) == "not-allowed")
        }
    }

    @Test("A manager's invitation into a members-only room makes the invitee a member, within the category's scope")
    func invitationAddsMember() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            try await server.addUser("eve")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateCategory(named: "Eng", by: .system) { (c: inout PersistentChat.Category) throws(ChatRuleError) in
                    c.denied = [.user("eve@salon.test")]
                }
            }
            let alice = try await server.online("alice")
            let carol = try await server.online("carol")
            func invite(_ to: String) {
                alice.send(XMLElement("message", namespace: NS.client, attributes: ["to": "design@\(chatDomain)"], children: [
                    .element(XMLElement("x", namespace: mucUser, children: [
                        .element(XMLElement("invite", namespace: mucUser, attributes: ["to": to])),
                    ])),
                ]))
            }
            invite("carol@salon.test")
            _ = try await carol.expect { $0.child("x", namespace: mucUser)?.child("invite", namespace: mucUser) != nil }
            #expect(try await server.database.chat.loadDirectory().rooms["design"]?.members.contains(.user("carol@salon.test")) == true)
            #expect(mucItem(try await carol.join("design", as: "Carol"))?[attribute: "affiliation"] == "member")

            invite("eve@salon.test")
            let refused = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "not-allowed")
            #expect(refused.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text.contains("scope") == true)
        }
    }

    @Test("With ChatHistory off nothing is stored and joiners get no history (status 170 absent)")
    func historyOff() async throws {
        try await withServer { server async throws in
            try await setUp(server, history: false)
            let alice = try await server.online("alice")
            let joined = try await alice.join("design", as: "Alice")
            #expect(!statusCodes(joined).contains(170))
            alice.say("design", "ephemeral")
            _ = try await alice.heard(in: "design")
            #expect(try await server.archived("design").isEmpty)
            let bob = try await server.online("bob")
            try await bob.join("design", as: "Bob")
            try await bob.roundTrip(with: "design")
            #expect(!bob.unclaimed.contains { $0[attribute: "type"] == "groupchat" && $0.child("body", namespace: NS.client) != nil })
        }
    }

    @Test("History limits: maxchars and seconds are honoured")
    func historyLimits() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            try await alice.join("design", as: "Alice")
            for n in 1...4 { alice.say("design", "line \(n)") }
            for _ in 1...4 { _ = try await alice.heard(in: "design") }
            let bob = try await server.online("bob")
            try await bob.join("design", as: "Bob", history: ["maxchars": "0"])
            let none = try await server.online("bob", resource: "two")
            try await none.join("design", as: "Bob", history: ["seconds": "3600"])
            for _ in 1...4 { _ = try await none.heard(in: "design") }
            try await bob.ping()
            #expect(!bob.unclaimed.contains { $0[attribute: "type"] == "groupchat" && $0.child("body", namespace: NS.client) != nil })
        }
    }

    @Test("A configuration change through the owner form sends occupants status 104; a form submitted unchanged does not")
    func configurationChangeAnnounced() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.join("design", as: "Alice")
            try await bob.join("design", as: "Bob")
            let described = DataForm(type: .submit, formType: "http://jabber.org/protocol/muc#roomconfig", fields: [
                DataForm.Field("muc#roomconfig_roomdesc", values: ["Reviews of designs"]),
            ])
            let saved = try await alice.query("design@\(chatDomain)", owner, type: "set", [described.element])
            #expect(saved[attribute: "type"] == "result")
            let notice = try await bob.expect { $0.name == "message" && statusCodes($0).contains(104) }
            #expect(notice[attribute: "from"] == "design@\(chatDomain)")
            #expect(notice[attribute: "type"] == "groupchat")
            _ = try await alice.expect { $0.name == "message" && statusCodes($0).contains(104) }

            let again = try await alice.query("design@\(chatDomain)", owner, type: "set", [described.element])
            #expect(again[attribute: "type"] == "result")
            try await bob.roundTrip(with: "design")
            #expect(!bob.unclaimed.contains { $0.name == "message" && statusCodes($0).contains(104) })
        }
    }
}
