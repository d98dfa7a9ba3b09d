import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Blocking (XEP-0191) applied to what rooms relay: private messages and invitations")
struct MUCBlockingTests {
    let domain = TestServer.domain

    func body(_ text: String) -> @Sendable (XMLElement) -> Bool {
        { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == text }
    }

    @Test("Private messages between occupants whose real JIDs one blocked are refused either way, and pass once unblocked")
    func privateMessages() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open))
            #expect(try await alice.blocking("block", ["bob@\(domain)"])[attribute: "type"] == "result")

            bob.send(message(to: "lobby@\(chatDomain)/Alice", body: "psst"))
            let refused = try await bob.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "service-unavailable")
            #expect(refused[attribute: "from"] == "lobby@\(chatDomain)/Alice")
            try await alice.roundTrip(with: "lobby")
            #expect(!alice.unclaimed.contains(where: body("psst")))

            // Writing to the blocked occupant is refused as writing to the blocked JID is.
            alice.send(message(to: "lobby@\(chatDomain)/Bob", body: "hello"))
            let own = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(own) == "not-acceptable")
            #expect(own.child("error", namespace: NS.client)?.child("blocked", namespace: "urn:xmpp:blocking:errors") != nil)
            try await bob.roundTrip(with: "lobby")
            #expect(!bob.unclaimed.contains(where: body("hello")))

            #expect(try await alice.blocking("unblock", ["bob@\(domain)"])[attribute: "type"] == "result")
            bob.send(message(to: "lobby@\(chatDomain)/Alice", body: "psst again"))
            _ = try await alice.expect(body("psst again"))
        }
    }

    @Test("A mediated invitation from a blocked real JID reaches neither an online nor an offline invitee, nor makes them members")
    func invitations() async throws {
        try await withServer { server async throws in
            for name in ["alice", "carol", "dave", "eve"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(invitations: true), by: .system)
                _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .closed,
                                          members: [.user(server.user("alice"))], managers: [.user(server.user("alice"))]), by: .system)
            }
            let dave = try await server.login("dave")
            #expect(try await dave.blocking("block", ["alice@\(domain)"])[attribute: "type"] == "result")
            await dave.close()
            let carol = try await server.online("carol")
            #expect(try await carol.blocking("block", ["alice@\(domain)"])[attribute: "type"] == "result")
            let alice = try await server.online("alice")
            try await alice.join("lobby", as: "Alice")

            func invite(_ user: String) {
                alice.send(XMLElement("message", namespace: NS.client, attributes: ["to": "lobby@\(chatDomain)"], children: [
                    .element(XMLElement("x", namespace: mucUser, children: [
                        .element(XMLElement("invite", namespace: mucUser, attributes: ["to": "\(user)@\(domain)"])),
                    ])),
                ]))
            }
            let isInvitation: @Sendable (XMLElement) -> Bool = { $0.child("x", namespace: mucUser)?.child("invite", namespace: mucUser) != nil }
            for user in ["carol", "dave"] {
                invite(user)
                let refused = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
                #expect(errorCondition(refused) == "service-unavailable", "\(user)")
            }
            try await carol.ping()
            #expect(!carol.unclaimed.contains(where: isInvitation))

            invite("eve")
            invite("dave")
            _ = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            // The room takes one stanza at a time: Dave's refusal means Eve's invitation, looked up
            // in the store as she is offline, went through and made her a member. Those refused were not.
            let members = try await server.database.chat.loadDirectory().rooms["lobby"]?.members ?? []
            #expect(members.contains(.user(server.user("eve"))))
            #expect(!members.contains(.user(server.user("dave"))) && !members.contains(.user(server.user("carol"))))
            #expect(try await server.database.offline.count(owner: "dave@\(domain)") == 0)
        }
    }
}
