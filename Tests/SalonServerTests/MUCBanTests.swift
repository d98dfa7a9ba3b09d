import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

private let mucAdmin = "http://jabber.org/protocol/muc#admin"

@Suite("Room bans: outcasts set by managers (XEP-0045 §9.1)")
struct MUCBanTests {
    let room = "design@\(chatDomain)"

    /// alice manages and belongs to Design, bob is a member; eve is denied by the category.
    func setUp(_ server: TestServer) async throws -> (alice: XMPPClient, bob: XMPPClient) {
        var category = openCategory()
        category.denied = [.user("eve@salon.test")]
        return try await server.aliceAndBob(in: Room(localpart: "design", name: "Design", category: "Eng",
                                                     members: [.user("alice@salon.test"), .user("bob@salon.test")],
                                                     managers: [.user("alice@salon.test")]),
                                            category: category, users: ["alice", "bob", "eve"])
    }

    func set(_ jid: String, _ affiliation: String, by client: XMPPClient) async throws -> XMLElement {
        var item = XMLElement("item", namespace: mucAdmin, attributes: ["affiliation": affiliation, "jid": jid])
        item.append(.text("reason", namespace: mucAdmin, "trolling"))
        return try await client.query(room, mucAdmin, type: "set", [item])
    }

    func outcasts(seenBy client: XMPPClient) async throws -> XMLElement {
        try await client.query(room, mucAdmin, [XMLElement("item", namespace: mucAdmin, attributes: ["affiliation": "outcast"])])
    }

    @Test("A manager bans an occupant: removed with 301, kept out with forbidden, listed with the category's denied, persisted")
    func managerBans() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            #expect(try await set("bob@salon.test", "outcast", by: alice)[attribute: "type"] == "result")

            let gone = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" }
            #expect(statusCodes(gone).contains(301) && statusCodes(gone).contains(110))
            #expect(mucItem(gone)?[attribute: "affiliation"] == "outcast")
            let seen = try await alice.expect { $0.name == "presence" && $0[attribute: "from"] == "\(room)/Bob" && $0[attribute: "type"] == "unavailable" }
            #expect(statusCodes(seen) == [301])

            let again = try await bob.join("design", as: "Bob")
            #expect(errorCondition(again) == "forbidden")

            let list = try await outcasts(seenBy: alice)
            let jids = list.child("query", namespace: mucAdmin)?.elements.compactMap { $0[attribute: "jid"] } ?? []
            #expect(jids == ["eve@salon.test", "bob@salon.test"])
            #expect(try await server.database.chat.loadDirectory().rooms["design"]?.banned == [.user("bob@salon.test")])
            #expect(try await server.database.chat.loadDirectory().rooms["design"]?.members == [.user("alice@salon.test")])
        }
    }

    @Test("Members may not ban, a manager may not ban themselves, and lifting a ban lets the user back as a member")
    func limitsAndLifting() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server)
            #expect(errorCondition(try await set("alice@salon.test", "outcast", by: bob)) == "forbidden")
            #expect(errorCondition(try await outcasts(seenBy: bob)) == "forbidden")
            #expect(errorCondition(try await set("alice@salon.test", "outcast", by: alice)) == "forbidden")
            #expect(errorCondition(try await set("group:nobody", "outcast", by: alice)) == "item-not-found")

            #expect(try await set("bob@salon.test", "outcast", by: alice)[attribute: "type"] == "result")
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" }
            #expect(try await set("bob@salon.test", "member", by: alice)[attribute: "type"] == "result")
            let back = try await bob.join("design", as: "Bob")
            #expect(mucItem(back)?[attribute: "affiliation"] == "member")
        }
    }
}
