import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// What managers and Creators do on the pages: the same PersistentChat operations as the ad-hoc
/// commands, as the signed-in user, with the rules' texts; live rooms follow at once.
@Suite("Room pages: managing rooms")
struct WebRoomManagementTests {
    /// Users alice (Creator in Eng), bob and carol; Eng covers the test domain, Partners only
    /// partner.example; room "design" managed by bob.
    func setUp(_ server: TestServer) async throws {
        for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(creators: [server.user("alice")]), by: .system)
            try d.createCategory(Category(name: "Partners", allowed: [.domain("partner.example")]), by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng", privacy: .closed,
                                      members: [.user(server.user("bob"))], managers: [.user(server.user("bob"))]), by: .system)
        }
    }

    func browser(_ server: TestServer, _ user: String) async throws -> WebBrowser {
        let browser = WebBrowser(port: server.httpPort)
        #expect(try await browser.signIn(user, password: "pw-\(user)").status == 303)
        return browser
    }

    @Test("A Creator creates a room and becomes its manager and member; others may not create rooms")
    func create() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await browser(server, "alice")
            #expect(try await alice.get("/rooms").text.contains("Create a room"))
            let created = try await alice.submit(on: "/rooms/new", to: "/rooms/new", [
                ("name", "Team \"A\""), ("address", ""), ("description", "<i>ours</i>"), ("category", "Eng"),
                ("type", "normal"), ("privacy", "secret"), ("invitations", "inherit"),
            ])
            #expect(created.status == 303)
            #expect(created.location == "/rooms/r/team-a?done=created")
            let room = try #require(server.muc.directory.rooms["team-a"])
            #expect(room.privacy == .secret)
            #expect(room.managers == [.user(server.user("alice"))])
            #expect(room.members == [.user(server.user("alice"))])
            #expect(room.createdBy == server.user("alice"))
            let page = try await alice.get(created.location!)
            #expect(page.text.contains("The room is created."))
            #expect(page.text.contains("&lt;i&gt;ours&lt;/i&gt;"))

            // A name already taken: the rule's text, and nothing created.
            let taken = try await alice.submit(on: "/rooms/new", to: "/rooms/new", [("name", "Design"), ("category", "Eng")])
            #expect(taken.status == 409)
            #expect(server.muc.directory.rooms.count == 2)

            let carol = try await browser(server, "carol")
            #expect(!(try await carol.get("/rooms").text.contains("Create a room")))
            #expect(try await carol.get("/rooms/new").status == 403)
            let refused = try await carol.submit(on: "/rooms", to: "/rooms/new", [("name", "Mine"), ("category", "Eng")])
            #expect(refused.status == 403)
            #expect(server.muc.directory.room(named: "Mine") == nil)
        }
    }

    @Test("A manager adds a member in scope, sees the scope rule refuse one out of it, and removes a member")
    func members() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let bob = try await browser(server, "bob")
            let page = try await bob.get("/rooms/r/design")
            #expect(page.text.contains("Only principals in the scope of category Eng (AllowedMembers − DeniedMembers; deny wins)"))
            let added = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/roles",
                                             [("list", "member"), ("action", "add"), ("principal", "carol")])
            #expect(added.status == 303)
            #expect(server.muc.directory.rooms["design"]!.members.contains(.user(server.user("carol"))))

            let outside = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/roles",
                                               [("list", "member"), ("action", "add"), ("principal", "eve@elsewhere.example")])
            #expect(outside.status == 400)
            #expect(outside.text.contains("eve@elsewhere.example is not in the scope of category Eng (AllowedMembers − DeniedMembers)."))
            #expect(!server.muc.directory.rooms["design"]!.members.contains(.user("eve@elsewhere.example")))

            let invalid = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/roles",
                                               [("list", "member"), ("action", "add"), ("principal", "group:")])
            #expect(invalid.status == 400)
            #expect(invalid.text.contains("is not a valid group principal"))

            let removed = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/roles",
                                               [("list", "member"), ("action", "remove"), ("principal", "carol@salon.test")])
            #expect(removed.status == 303)
            #expect(!server.muc.directory.rooms["design"]!.members.contains(.user(server.user("carol"))))
        }
    }

    @Test("A manager changes privacy and name; the live room answers with the change at once")
    func settingsReachTheLiveRoom() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let client = try await server.online("bob")
            try await client.join("design", as: "Bob")
            let bob = try await browser(server, "bob")
            let saved = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/settings", [
                ("name", "Design studio"), ("description", "new"), ("category", "Eng"), ("type", "normal"),
                ("privacy", "open"), ("invitations", "inherit"), ("addin", "none"),
            ])
            // An Open room has no member list: the page says which roles went.
            #expect(saved.status == 200)
            #expect(saved.text.contains("Saved. removed bob@salon.test as member of room design: no longer in scope"))
            #expect(server.muc.directory.rooms["design"]!.privacy == .open)
            #expect(server.muc.directory.rooms["design"]!.members.isEmpty)
            let info = try await client.query("design@\(chatDomain)", NS.discoInfo)
            #expect(info.description.contains("Design studio"))
            #expect(info.description.contains("muc_open"))

            let bad = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/settings", [("privacy", "public")])
            #expect(bad.status == 400)
            #expect(bad.text.contains("public is not a valid privacy."))
        }
    }

    @Test("A non-manager's crafted POST for someone else's room gets 403 and changes nothing; so does a wrong CSRF token")
    func craftedPosts() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let before = server.muc.directory
            let carol = try await browser(server, "carol")
            for (target, fields) in [
                ("/rooms/r/design/settings", [("name", "Mine now"), ("privacy", "open")]),
                ("/rooms/r/design/roles", [("list", "manager"), ("action", "add"), ("principal", "carol")]),
                ("/rooms/r/design/state", [("disabled", "yes")]),
            ] {
                let answer = try await carol.submit(on: "/rooms", to: target, fields)
                #expect(answer.status == 403)
                #expect(answer.text.contains("may not"))
            }
            let bob = try await browser(server, "bob")
            let forged = try await bob.post("/rooms/r/design/settings", [("csrf", "not-the-token"), ("name", "Forged")])
            #expect(forged.status == 403)
            let missing = try await bob.post("/rooms/r/design/state", [("disabled", "yes")])
            #expect(missing.status == 403)
            let signedOut = try await WebBrowser(port: server.httpPort).post("/rooms/r/design/state", [("disabled", "yes")])
            #expect(signedOut.status == 403)
            #expect(server.muc.directory == before)
        }
    }

    @Test("A manager disables the room; only an administrator enables it again")
    func disableAndEnable() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let bob = try await browser(server, "bob")
            let disabled = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/state", [("disabled", "yes")])
            #expect(disabled.status == 303)
            #expect(server.muc.directory.rooms["design"]!.disabled)
            let refused = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/state", [("disabled", "no")])
            #expect(refused.status == 403)
            #expect(server.muc.directory.rooms["design"]!.disabled)

            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.addAdministrator(server.user("carol"), by: .system) }
            let carol = try await browser(server, "carol")
            let enabled = try await carol.submit(on: "/rooms/r/design", to: "/rooms/r/design/state", [("disabled", "no")])
            #expect(enabled.status == 303)
            #expect(!server.muc.directory.rooms["design"]!.disabled)
        }
    }
}
