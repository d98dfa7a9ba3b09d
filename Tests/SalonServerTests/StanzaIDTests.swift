import Foundation
import PersistentChat
import SalonClient
import Testing
import XMPPCore

/// XEP-0359 §3.1: stanza-ids claiming to be by the receiving entity are removed before delivery.
@Suite("Forged stanza-ids over the wire")
struct StanzaIDTests {
    let domain = TestServer.domain
    let sid = "urn:xmpp:sid:0"

    func forged(to: String, body: String, by claimed: [String], type: String = "chat") -> XMLElement {
        var element = message(to: to, body: body, type: type)
        for (index, by) in claimed.enumerated() {
            element.append(XMLElement("stanza-id", namespace: sid, attributes: ["id": "forged-\(index)", "by": by]))
        }
        return element
    }

    /// Who the client-made stanza-ids that reached the recipient claim to be by (the server's
    /// own, added by the recipient's archive, are left out).
    func claimedBy(_ message: XMLElement) -> [String] {
        message.children("stanza-id", namespace: sid).filter { $0[attribute: "id"]?.hasPrefix("forged-") == true }
            .compactMap { $0[attribute: "by"] }
    }

    @Test("A 1:1 message loses stanza-ids by the recipient or the local sender (full, bare and offline delivery) and keeps others")
    func oneToOne() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob", resource: "desk")

            alice.send(forged(to: "bob@\(domain)", body: "bare", by: ["bob@\(domain)", "alice@\(domain)", "news@elsewhere.example"]))
            let bare = try await bob.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "bare" }
            #expect(claimedBy(bare) == ["news@elsewhere.example"])
            // The only one by the recipient is its archive's.
            #expect(bare.children("stanza-id", namespace: sid).filter { $0[attribute: "by"] == "bob@\(domain)" }.count == 1)

            alice.send(forged(to: "bob@\(domain)/desk", body: "full", by: ["BOB@\(domain)/other"]))
            let full = try await bob.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "full" }
            #expect(claimedBy(full).isEmpty)

            try await server.addUser("carol")
            alice.send(forged(to: "carol@\(domain)", body: "stored", by: ["carol@\(domain)"]))
            try await alice.ping()
            let carol = try await server.online("carol")
            let stored = try await carol.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "stored" }
            #expect(claimedBy(stored).isEmpty)
        }
    }

    @Test("A private message through a room loses stanza-ids claiming to be by the room")
    func roomPrivateMessage() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open), by: .system)
            }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.join("lobby", as: "Alice")
            try await bob.join("lobby", as: "Bob")
            alice.send(forged(to: "lobby@\(chatDomain)/Bob", body: "psst", by: ["lobby@\(chatDomain)", "bob@\(domain)"]))
            let heard = try await bob.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "psst" }
            #expect(heard[attribute: "from"] == "lobby@\(chatDomain)/Alice")
            #expect(claimedBy(heard).isEmpty)
        }
    }
}
