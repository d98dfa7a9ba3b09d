import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// What every signed-in user sees: the rooms they may find, with search, and a room's page.
@Suite("Room pages: rooms and a room's page")
struct WebRoomPageTests {
    /// alice signed in, in category Eng with the rooms given.
    func signedIn(_ server: TestServer, rooms: [Room], user: String = "alice") async throws -> WebBrowser {
        for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(), by: .system)
            try d.createCategory(openCategory("Ops"), by: .system)
            for room in rooms { _ = try d.createRoom(room, by: .system) }
        }
        let browser = WebBrowser(port: server.httpPort)
        #expect(try await browser.signIn(user, password: "pw-\(user)").status == 303)
        return browser
    }

    @Test("The list shows the rooms the user may find, searched by name, description and category, every string escaped")
    func listAndSearch() async throws {
        try await withServer { server async throws in
            let browser = try await signedIn(server, rooms: [
                Room(localpart: "design", name: "Design <script>alert(\"x\")</script>", description: "Pixels & 'quotes'", category: "Eng"),
                Room(localpart: "ops", name: "Operations", description: "pager duty", category: "Ops", privacy: .open),
                Room(localpart: "hidden", name: "Hidden plans", category: "Eng", privacy: .secret),
            ])
            let all = try await browser.get("/rooms")
            #expect(all.status == 200)
            #expect(all.text.contains("Design &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
            #expect(!all.text.contains("<script>"))
            #expect(all.text.contains("Pixels &amp; &#39;quotes&#39;"))
            #expect(all.text.contains("Operations"))
            #expect(!all.text.contains("Hidden plans"))
            #expect(all.text.contains("2 rooms."))

            let byDescription = try await browser.get("/rooms?q=pager")
            #expect(byDescription.text.contains("Operations"))
            #expect(!byDescription.text.contains("Design"))
            let byCategory = try await browser.get("/rooms?category=Eng")
            #expect(byCategory.text.contains("Design"))
            #expect(!byCategory.text.contains("Operations"))
            let secret = try await browser.get("/rooms?q=hidden")
            #expect(secret.text.contains("No room matches."))
        }
    }

    @Test("A room's page: details, join link, lists the user may see, occupants now and recent history, escaped")
    func roomPage() async throws {
        try await withServer { server async throws in
            let room = Room(localpart: "design", name: "Design", description: "Where we \"draw\"", category: "Eng", privacy: .closed,
                            members: [.user(server.user("alice")), .user(server.user("bob"))], managers: [.user(server.user("bob"))])
            let browser = try await signedIn(server, rooms: [room])
            let bob = try await server.online("bob")
            try await bob.join("design", as: "Bob <b>")
            bob.say("design", "<script>alert('hi')</script> & \"more\"")
            _ = try await bob.heard(in: "design")

            let page = try await browser.get("/rooms/r/design")
            #expect(page.status == 200)
            #expect(page.header("Cache-Control") == "no-store")
            #expect(page.text.contains("Where we &quot;draw&quot;"))
            #expect(page.text.contains("href=\"xmpp:design@chat.salon.test?join\""))
            #expect(page.text.contains("Members"))
            #expect(page.text.contains("bob@salon.test"))
            #expect(page.text.contains("Bob &lt;b&gt;"))
            #expect(page.text.contains("&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; &amp; &quot;more&quot;"))
            #expect(!page.text.contains("<script>"))
            // alice is a member, not a manager: no forms that change the room.
            #expect(!page.text.contains("/rooms/r/design/settings"))
        }
    }

    @Test("A Secret room is not found by who is not its member; a Closed one shows its details but not its history to a non-member")
    func whatOutsidersSee() async throws {
        try await withServer { server async throws in
            let browser = try await signedIn(server, rooms: [
                Room(localpart: "hidden", name: "Hidden", category: "Eng", privacy: .secret, members: [.user(server.user("bob"))]),
                Room(localpart: "closed", name: "Closed", category: "Eng", privacy: .closed, members: [.user(server.user("bob"))]),
            ])
            let hidden = try await browser.get("/rooms/r/hidden")
            #expect(hidden.status == 404)
            #expect(hidden.text.contains("Room hidden does not exist."))
            #expect(try await browser.get("/rooms/r/nosuch").status == 404)
            let closed = try await browser.get("/rooms/r/closed")
            #expect(closed.status == 200)
            #expect(!closed.text.contains("Recent messages"))
            #expect(!closed.text.contains("Search the archive"))
        }
    }

    @Test("The archive search pages through matches, newest first")
    func archiveSearch() async throws {
        try await withServer(configure: { $0.http.web.pageSize = 2 }) { server async throws in
            let room = Room(localpart: "design", name: "Design", category: "Eng", privacy: .open)
            let browser = try await signedIn(server, rooms: [room])
            let bob = try await server.online("bob")
            try await bob.join("design", as: "Bob")
            for index in 1...5 {
                bob.say("design", index == 3 ? "unrelated chatter" : "needle number \(index)")
                _ = try await bob.heard(in: "design")
            }
            let first = try await browser.get("/rooms/r/design?q=needle")
            #expect(first.text.contains("4 messages match."))
            let firstResults = try #require(first.text.range(of: "id=\"search\"").map { String(first.text[$0.upperBound...]) })
            #expect(firstResults.contains("needle number 5"))
            #expect(firstResults.contains("needle number 4"))
            #expect(!firstResults.contains("needle number 2"))
            #expect(firstResults.range(of: "needle number 5")!.lowerBound < firstResults.range(of: "needle number 4")!.lowerBound)
            let older = try #require(first.text.range(of: "href=\"/rooms/r/design?q=needle&amp;before=").map { range in
                String(first.text[range.lowerBound...].dropFirst(6).prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            })
            let second = try await browser.get(String(older.prefix { $0 != "#" }))
            // The recent history (the last two messages) comes before the search section.
            let results = try #require(second.text.range(of: "id=\"search\"").map { String(second.text[$0.upperBound...]) })
            #expect(results.contains("needle number 2"))
            #expect(results.contains("needle number 1"))
            #expect(!results.contains("needle number 5"))
            #expect(!results.contains("Older results"))
        }
    }

    @Test("RoomManagementUrl defaults to these pages, on the service's and the room's disco#info")
    func roomManagementURL() async throws {
        try await withServer { server async throws in
            let room = Room(localpart: "design", name: "Design", category: "Eng", privacy: .open)
            _ = try await signedIn(server, rooms: [room])
            let alice = try await server.online("alice")
            let expected = "https://salon.test:\(server.httpPort)/rooms"
            let service = try await alice.query(chatDomain, NS.discoInfo)
            #expect(service.description.contains(expected))
            let info = try await alice.query("design@\(chatDomain)", NS.discoInfo)
            #expect(info.description.contains(expected))
            // A URL set by the operator wins.
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.updateSettings(by: .system) { $0.roomManagementURL = "https://rooms.example/manage" }
            }
            let changed = try await alice.query("design@\(chatDomain)", NS.discoInfo)
            #expect(changed.description.contains("https://rooms.example/manage"))
            #expect(!changed.description.contains(expected))
        }
    }
}
