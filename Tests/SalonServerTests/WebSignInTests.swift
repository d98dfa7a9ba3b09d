import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// Sign-in to the room pages: the chat account's password, sessions kept hashed and ended by
/// sign-out and account deletion, CSRF on every form, no caching, no open redirect.
@Suite("Room pages: sign-in and sessions")
struct WebSignInTests {
    @Test("Signing in sets a hardened session cookie; the pages are private and not cached; signing out ends the session")
    func signInAndOut() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let browser = WebBrowser(port: server.httpPort)
            let unsigned = try await browser.get("/rooms")
            #expect(unsigned.status == 303)
            #expect(unsigned.location == "/rooms/sign-in")

            let signedIn = try await browser.signIn("alice", password: "pw-alice")
            #expect(signedIn.status == 303)
            #expect(signedIn.location == "/rooms")
            let cookie = try #require(browser.lastSetCookies.first { $0.hasPrefix("salon_session=") })
            for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age="] { #expect(cookie.contains(flag)) }
            let token = try #require(browser.session)

            let rooms = try await browser.get("/rooms")
            #expect(rooms.status == 200)
            #expect(rooms.header("Cache-Control") == "no-store")
            #expect(rooms.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(rooms.text.contains("alice@salon.test"))

            // The store keeps the token's hash, never the token.
            #expect(try await server.database.webSessions.session(tokenHash: token) == nil)
            #expect(try await server.database.webSessions.session(tokenHash: WebSessions.hash(token))?.account == "alice@salon.test")

            // Signing out needs the page's CSRF token.
            let forged = try await browser.post("/rooms/sign-out", [("csrf", String(repeating: "0", count: 64))])
            #expect(forged.status == 403)
            #expect(try await browser.get("/rooms").status == 200)

            let out = try await browser.submit(on: "/rooms", to: "/rooms/sign-out", [])
            #expect(out.status == 303)
            #expect(browser.session == nil)
            #expect(try await server.database.webSessions.session(tokenHash: WebSessions.hash(token)) == nil)
            // The old cookie, sent again, signs nobody in.
            let stale = try await HTTPTestClient.request(port: server.httpPort, "GET", "/rooms", headers: ["Cookie": "salon_session=\(token)"])
            #expect(stale.status == 303)
        }
    }

    @Test("A wrong password is refused after the XMPP login throttle counted it, and opens no session")
    func wrongPassword() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let browser = WebBrowser(port: server.httpPort)
            let refused = try await browser.signIn("alice", password: "guess")
            #expect(refused.status == 401)
            #expect(refused.text.contains("The account or the password is wrong."))
            #expect(browser.session == nil)
            #expect(server.server.context!.throttle.failures(account: "alice@salon.test") == 1)
            let unknown = try await browser.signIn("nobody", password: "guess")
            #expect(unknown.status == 401)
            // The same account, by its full JID and in capitals, signs in.
            #expect(try await browser.signIn("Alice@salon.test", password: "pw-alice").status == 303)
            #expect(server.server.context!.throttle.failures(account: "alice@salon.test") == 0)
        }
    }

    @Test("The sign-in form has its own CSRF pair; a sign-in gets a new session id and ends the one the browser had")
    func signInCSRFAndFixation() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            // A POST without the form's cookie (another site's form) is refused.
            let crossSite = try await HTTPTestClient.request(
                port: server.httpPort, "POST", "/rooms/sign-in", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Array("csrf=abc&account=alice&password=pw-alice".utf8))
            #expect(crossSite.status == 403)

            let planter = WebBrowser(port: server.httpPort)
            try await planter.signIn("alice", password: "pw-alice")
            let first = try #require(planter.session)
            // A session id planted in another browser is not adopted: signing in there makes a
            // new id and ends the planted one.
            let browser = WebBrowser(port: server.httpPort)
            let form = try await browser.get("/rooms/sign-in")
            browser.setCookie(WebSessions.cookieName, first)
            let signedIn = try await browser.post("/rooms/sign-in", [("csrf", WebBrowser.csrf(in: form.text) ?? ""),
                                                                     ("account", "alice"), ("password", "pw-alice")])
            #expect(signedIn.status == 303)
            let second = try #require(browser.session)
            #expect(first != second)
            #expect(try await server.database.webSessions.session(tokenHash: WebSessions.hash(first)) == nil)
            #expect(try await server.database.webSessions.session(tokenHash: WebSessions.hash(second)) != nil)
        }
    }

    @Test("Deleting the account ends its sessions")
    func accountDeletionEndsSessions() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let browser = WebBrowser(port: server.httpPort)
            try await browser.signIn("alice", password: "pw-alice")
            #expect(try await browser.get("/rooms").status == 200)
            _ = try await server.accounts.delete("alice")
            let after = try await browser.get("/rooms")
            #expect(after.status == 303)
            #expect(after.location == "/rooms/sign-in")
        }
    }

    @Test("A new password ends the sessions signed in with the old one")
    func passwordChangeEndsSessions() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let browser = WebBrowser(port: server.httpPort)
            try await browser.signIn("alice", password: "pw-alice")
            #expect(try await browser.get("/rooms").status == 200)
            _ = try await server.accounts.setPassword("alice", password: "new-secret")
            #expect(try await browser.get("/rooms").status == 303)
            #expect(try await browser.signIn("alice", password: "new-secret").status == 303)
        }
    }

    @Test("After signing in the browser returns only to a page of this site", arguments: [
        ("/rooms/r/design", "/rooms/r/design"),
        ("https://evil.example/rooms", "/rooms"),
        ("//evil.example/rooms", "/rooms"),
        ("/rooms//evil.example", "/rooms"),
        ("/roomsx", "/rooms"),
        ("/rooms/\\evil", "/rooms"),
    ])
    func noOpenRedirect(next: String, expected: String) async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let browser = WebBrowser(port: server.httpPort)
            let answer = try await browser.signIn("alice", password: "pw-alice", next: next)
            #expect(answer.status == 303)
            #expect(answer.location == expected)
        }
    }

    @Test("A page asked for while signed out comes back after signing in")
    func returnsToThePageAsked() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let browser = WebBrowser(port: server.httpPort)
            let asked = try await browser.get("/rooms/new")
            #expect(asked.location == "/rooms/sign-in?next=/rooms/new")
            let answer = try await browser.signIn("alice", password: "pw-alice", next: "/rooms/new")
            #expect(answer.location == "/rooms/new")
        }
    }

    @Test("Forms that are too large, not URL-encoded or malformed are refused")
    func badForms() async throws {
        try await withServer(configure: { $0.http.web.maxFormBytes = 4096 }) { server async throws in
            try await server.addUser("alice")
            let browser = WebBrowser(port: server.httpPort)
            try await browser.signIn("alice", password: "pw-alice")
            let csrf = WebBrowser.csrf(in: try await browser.get("/rooms").text) ?? ""
            let large = try await browser.post("/rooms/sign-out", [("csrf", csrf), ("pad", String(repeating: "x", count: 5000))])
            #expect(large.status == 413)
            let json = try await browser.send("POST", "/rooms/sign-out", body: Array("{}".utf8), contentType: "application/json")
            #expect(json.status == 415)
            let malformed = try await browser.send("POST", "/rooms/sign-out", body: Array("csrf=%zz".utf8),
                                                   contentType: "application/x-www-form-urlencoded")
            #expect(malformed.status == 400)
            #expect(try await browser.get("/rooms").status == 200)
        }
    }

    @Test("The log has one line per sign-in, failure and change, with the account and never the password")
    func operatorLog() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            try await server.addUser("alice")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(creators: [server.user("alice")]), by: .system)
            }
            let browser = WebBrowser(port: server.httpPort)
            try await browser.signIn("alice", password: "hunter2-guess")
            try await browser.signIn("alice", password: "pw-alice")
            try await browser.submit(on: "/rooms/new", to: "/rooms/new", [("name", "Logged"), ("category", "Eng")])
            #expect(log.lines("web sign-in failed").contains { $0.contains("account=alice@salon.test") && $0.contains("address=") })
            #expect(log.lines("web sign-in").contains { $0.contains("account=alice@salon.test") })
            #expect(log.lines("web change").contains { $0.contains("actor=alice@salon.test") && $0.contains("action=room created")
                && $0.contains("room=logged") })
            let web = ["web sign-in failed", "web sign-in", "web change"].flatMap(log.lines)
            #expect(web.allSatisfy { !$0.contains("hunter2") && !$0.contains("pw-alice") })
        }
    }
}
