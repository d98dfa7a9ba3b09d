import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// What chat administrators do on the pages, and that nobody else can.
@Suite("Room pages: administration")
struct WebAdministrationTests {
    /// root is a chat administrator; bob manages room "design" (Secret) in Eng.
    func setUp(_ server: TestServer) async throws -> (root: WebBrowser, bob: WebBrowser) {
        for name in ["root", "bob", "carol"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.addAdministrator(server.user("root"), by: .system)
            try d.createCategory(openCategory(), by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng", privacy: .secret,
                                      members: [.user(server.user("bob"))], managers: [.user(server.user("bob"))]), by: .system)
        }
        let root = WebBrowser(port: server.httpPort), bob = WebBrowser(port: server.httpPort)
        #expect(try await root.signIn("root", password: "pw-root").status == 303)
        #expect(try await bob.signIn("bob", password: "pw-bob").status == 303)
        return (root, bob)
    }

    @Test("Administrators create, change and remove categories with the rules' texts; others get 403")
    func categories() async throws {
        try await withServer { server async throws in
            let (root, bob) = try await setUp(server)
            let rooms = try await root.get("/rooms")
            #expect(rooms.text.contains("href=\"/rooms/admin\""))
            #expect(rooms.text.contains("Design"))  // Secret, but root administers it
            // The ad-hoc room-list filters, for administrators.
            #expect(try await root.get("/rooms?privacy=secret&manager=bob").text.contains("1 room."))
            #expect(try await root.get("/rooms?member=carol").text.contains("No room matches."))
            let badFilter = try await root.get("/rooms?privacy=public")
            #expect(badFilter.status == 400)
            #expect(badFilter.text.contains("public is not a valid privacy."))
            #expect(!(try await bob.get("/rooms").text.contains("href=\"/rooms/admin\"")))
            #expect(try await bob.get("/rooms/admin").status == 403)
            let forged = try await bob.submit(on: "/rooms", to: "/rooms/admin/categories", [("name", "Bob's"), ("allowed", "salon.test")])
            #expect(forged.status == 403)
            #expect(server.muc.directory.category(named: "Bob's") == nil)

            let outside = try await root.submit(on: "/rooms/admin", to: "/rooms/admin/categories", [
                ("name", "Web <Team>"), ("allowed", "salon.test"), ("creators", "eve@elsewhere.example"), ("chat-history", "yes"),
            ])
            #expect(outside.status == 400)
            #expect(outside.text.contains("eve@elsewhere.example is not in the scope of category Web &lt;Team&gt; (AllowedMembers − DeniedMembers)."))
            #expect(server.muc.directory.category(named: "Web <Team>") == nil)

            let created = try await root.submit(on: "/rooms/admin", to: "/rooms/admin/categories", [
                ("name", "Web <Team>"), ("description", "the \"web\" folks"), ("allowed", "salon.test"), ("creators", "carol"),
                ("invitations", "yes"), ("chat-history", "yes"),
            ])
            #expect(created.status == 303)
            let category = try #require(server.muc.directory.category(named: "Web <Team>"))
            #expect(category.creators == [.user(server.user("carol"))])
            #expect(category.invitations && category.chatHistory && !category.fileUpload)
            let page = try await root.get(try #require(created.location))
            #expect(page.text.contains("The category is created."))
            #expect(page.text.contains("Category Web &lt;Team&gt;"))

            let changed = try await root.submit(on: created.location!, to: "/rooms/admin/category", [
                ("original", "Web <Team>"), ("name", "Web"), ("allowed", "salon.test"), ("creators", "carol"), ("file-upload", "yes"),
            ])
            #expect(changed.status == 200)
            #expect(changed.text.contains("Saved."))
            let renamed = try #require(server.muc.directory.category(named: "Web"))
            #expect(renamed.fileUpload && !renamed.chatHistory && !renamed.invitations)

            let busy = try await root.submit(on: "/rooms/admin", to: "/rooms/admin/category/remove", [("name", "Eng")])
            #expect(busy.status == 409)
            #expect(server.muc.directory.category(named: "Eng") != nil)
            let removed = try await root.submit(on: "/rooms/admin", to: "/rooms/admin/category/remove", [("name", "Web")])
            #expect(removed.status == 200)
            #expect(server.muc.directory.category(named: "Web") == nil)
        }
    }

    @Test("Administrators clear a room's history up to a date and delete rooms; a manager may do neither")
    func clearAndDelete() async throws {
        try await withServer { server async throws in
            let (root, bob) = try await setUp(server)
            let client = try await server.online("bob")
            try await client.join("design", as: "Bob")
            client.say("design", "old news")
            _ = try await client.heard(in: "design")
            #expect(!(try await bob.get("/rooms/r/design").text.contains("/rooms/r/design/delete")))
            let refusedClear = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/clear", [("until", "2999-01-01")])
            #expect(refusedClear.status == 403)
            let refusedDelete = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/delete", [])
            #expect(refusedDelete.status == 403)
            #expect(try await server.archived("design").count == 1)
            #expect(server.muc.directory.rooms["design"] != nil)

            let badDate = try await root.submit(on: "/rooms/r/design", to: "/rooms/r/design/clear", [("until", "soon")])
            #expect(badDate.status == 400)
            #expect(badDate.text.contains("soon is not a date"))
            let cleared = try await root.submit(on: "/rooms/r/design", to: "/rooms/r/design/clear", [("until", "2999-01-01")])
            #expect(cleared.status == 200)
            #expect(cleared.text.contains("Deleted 1 messages."))
            #expect(try await server.archived("design").isEmpty)

            let deleted = try await root.submit(on: "/rooms/r/design", to: "/rooms/r/design/delete", [])
            #expect(deleted.status == 200)
            #expect(server.muc.directory.rooms["design"] == nil)
            #expect(try await root.get("/rooms/r/design").status == 404)
        }
    }

    @Test("Administrators change settings, add-ins, policy, groups and administrators with the rules' texts; others get 403")
    func service() async throws {
        try await withServer { server async throws in
            let (root, bob) = try await setUp(server)
            func service(_ browser: WebBrowser, _ fields: [(String, String)]) async throws -> HTTPTestResponse {
                try await browser.submit(on: "/rooms", to: "/rooms/admin/service", fields)
            }
            #expect(try await service(bob, [("op", "addin-add"), ("name", "Wiki"), ("url", "https://wiki.example")]).status == 403)
            #expect(server.muc.directory.addIns.isEmpty)

            let badHistory = try await service(root, [("op", "settings"), ("DefaultChatHistory", "900")])
            #expect(badHistory.status == 400)
            #expect(badHistory.text.contains("DefaultChatHistory must be between 1 and 500."))
            #expect(try await service(root, [("op", "settings"), ("DefaultChatHistory", "40"), ("RoomManagementUrl", "")]).status == 200)
            #expect(server.muc.directory.settings.defaultChatHistory == 40)

            #expect(try await service(root, [("op", "addin-add"), ("name", "Wiki"), ("url", "https://wiki.example/<x>")]).status == 200)
            #expect(server.muc.directory.addIns.values.map(\.name) == ["Wiki"])
            let page = try await root.get("/rooms/admin")
            #expect(page.text.contains("https://wiki.example/&lt;x&gt;"))
            #expect(try await service(root, [("op", "addin-remove"), ("name", "Wiki")]).status == 200)
            #expect(server.muc.directory.addIns.isEmpty)

            #expect(try await service(root, [("op", "policy"), ("user", "carol"), ("enabled", "off")]).status == 200)
            #expect(!server.muc.directory.isEnabled(user: server.user("carol")))

            #expect(try await service(root, [("op", "group-create"), ("name", "eng"), ("members", "bob, carol")]).status == 200)
            #expect(server.muc.directory.groups["eng"] == [server.user("bob"), server.user("carol")])
            let duplicate = try await service(root, [("op", "group-create"), ("name", "eng")])
            #expect(duplicate.status == 409)
            #expect(duplicate.text.contains("Group eng already exists."))

            #expect(try await service(root, [("op", "admin-add"), ("user", "bob"), ("role", "chat")]).status == 200)
            #expect(server.muc.directory.isAdministrator(server.user("bob")))
            let serverRole = try await service(root, [("op", "admin-add"), ("user", "carol"), ("role", "server")])
            #expect(serverRole.status == 403)
            #expect(!server.muc.directory.isServerAdministrator(server.user("carol")))
        }
    }

    @Test("Administrators preview the messages a filter matches, then replace or delete them; a manager may not")
    func removeMessagesWithPreview() async throws {
        try await withServer { server async throws in
            let (root, bob) = try await setUp(server)
            let client = try await server.online("bob")
            try await client.join("design", as: "Bob")
            for body in ["the secret plan", "lunch", "another SECRET <plan>"] {
                client.say("design", body)
                _ = try await client.heard(in: "design")
            }
            let filter = [("authors", "bob"), ("keywords", "secret"), ("match", "all"), ("action", "replace"), ("replacement", "[removed]")]
            let refused = try await bob.submit(on: "/rooms/r/design", to: "/rooms/r/design/messages", filter + [("step", "apply")])
            #expect(refused.status == 403)

            let preview = try await root.submit(on: "/rooms/r/design", to: "/rooms/r/design/messages", filter + [("step", "preview")])
            #expect(preview.status == 200)
            #expect(preview.text.contains("2 messages match."))
            #expect(preview.text.contains("another SECRET &lt;plan&gt;"))
            #expect(preview.text.contains("name=\"step\" value=\"apply\""))
            #expect(try await server.archived("design").map(\.body) == ["the secret plan", "lunch", "another SECRET <plan>"])

            let applied = try await root.submit(on: "/rooms/r/design", to: "/rooms/r/design/messages", filter + [("step", "apply")])
            #expect(applied.text.contains("Replaced 2 messages."))
            #expect(try await server.archived("design").map(\.body) == ["[removed]", "lunch", "[removed]"])

            let deleted = try await root.submit(on: "/rooms/r/design", to: "/rooms/r/design/messages",
                                                [("keywords", "lunch"), ("action", "delete"), ("step", "apply")])
            #expect(deleted.text.contains("Deleted 1 messages."))
            #expect(try await server.archived("design").count == 2)
            let badDate = try await root.submit(on: "/rooms/r/design", to: "/rooms/r/design/messages",
                                                [("from", "yesterday"), ("action", "delete"), ("step", "preview")])
            #expect(badDate.status == 400)
            #expect(badDate.text.contains("yesterday is not a date"))
        }
    }
}
