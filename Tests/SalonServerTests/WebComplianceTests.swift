import Foundation
import GRDB
import PersistentChat
import SalonStore
@testable import SalonServer
import Testing

/// The compliance section of the administrators' pages: status, verify on demand, the switch.
@Suite("Room pages: compliance")
struct WebComplianceTests {
    /// root is a chat administrator, bob is not.
    func setUp(_ server: TestServer) async throws -> (root: WebBrowser, bob: WebBrowser) {
        for name in ["root", "bob"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.addAdministrator(server.user("root"), by: .system) }
        let root = WebBrowser(port: server.httpPort), bob = WebBrowser(port: server.httpPort)
        #expect(try await root.signIn("root", password: "pw-root").status == 303)
        #expect(try await bob.signIn("bob", password: "pw-bob").status == 303)
        return (root, bob)
    }

    @Test("Administrators see the status, turn recording on (journaled as them) and verify the chain; others get 403")
    func statusSwitchAndVerify() async throws {
        try await withServer(configure: { $0.administration.compliance.outputDirectory = "audit <out>" }) { server async throws in
            let (root, bob) = try await setUp(server)
            let recorder = server.muc.environment.compliance
            let admin = try await root.get("/rooms/admin")
            #expect(admin.text.contains("Recording is <b>off</b> (adapter xml)"))
            #expect(admin.text.contains("href=\"/rooms/admin/compliance\""))

            let status = try await root.get("/rooms/admin/compliance")
            #expect(status.status == 200)
            for shown in ["<dd><b>off</b></dd>", "<dd>xml</dd>", "<dd>900 s (15 min)</dd>", "audit &lt;out&gt;</code>",
                          "<dt>Waiting for export</dt><dd>0</dd>", "<dd>never</dd>", "Turn compliance recording on"] {
                #expect(status.text.contains(shown), "\(shown)")
            }

            // Not an administrator: neither the page nor the switch, even with a valid token.
            #expect(try await bob.get("/rooms/admin/compliance").status == 403)
            let forged = try await bob.submit(on: "/rooms", to: "/rooms/admin/compliance", [("op", "enabled"), ("value", "on")])
            #expect(forged.status == 403)
            let noToken = try await root.post("/rooms/admin/compliance", [("op", "enabled"), ("value", "on")])
            #expect(noToken.status == 403)
            #expect(!recorder.isEnabled)
            #expect(try await server.database.compliance.counts().total == 0)

            let on = try await root.submit(on: "/rooms/admin/compliance", to: "/rooms/admin/compliance", [("op", "enabled"), ("value", "on")])
            #expect(on.status == 200)
            #expect(on.text.contains("Compliance recording is on.") && on.text.contains("Turn compliance recording off"))
            #expect(recorder.isEnabled)
            let changed = try await server.database.compliance.events(1...1)
            #expect(changed.map(\.type) == ["COMPLIANCE_CHANGED"] && changed.map(\.actorBare) == [server.user("root")])
            #expect(changed.first?.payload.contains("\"after\":\"true\"") == true)

            let bad = try await root.submit(on: "/rooms/admin/compliance", to: "/rooms/admin/compliance", [("op", "enabled"), ("value", "<maybe>")])
            #expect(bad.status == 400)
            #expect(bad.text.contains("enabled is true or false, not &lt;maybe&gt;."))
            #expect(try await server.database.compliance.counts().total == 1)

            let intact = try await root.submit(on: "/rooms/admin/compliance", to: "/rooms/admin/compliance", [("op", "verify")])
            #expect(intact.status == 200 && intact.text.contains("compliance journal intact: 1 events"))

            // A row changed behind the journal's back is named (SQLite's triggers, dropped here,
            // are what stand in the way; the store tests tamper with PostgreSQL's).
            if let sqlite = server.sqlite {
                try await server.database.compliance.append([ComplianceEvent(.join, time: 1, actorBare: "eve@salon.test", room: "x")])
                try await sqlite.writer.write { db in
                    try db.execute(sql: "DROP TRIGGER compliance_events_no_update")
                    try db.execute(sql: "UPDATE compliance_events SET actor_bare = 'mallory@salon.test' WHERE seq = 2")
                }
                let broken = try await root.submit(on: "/rooms/admin/compliance", to: "/rooms/admin/compliance", [("op", "verify")])
                #expect(broken.text.contains("<div class=\"error\" role=\"status\"><p>compliance journal broken at event 2: its content does not match its hash"))
                #expect(broken.text.contains("<dt>Waiting for export</dt><dd>2</dd>"))
            }
        }
    }
}
