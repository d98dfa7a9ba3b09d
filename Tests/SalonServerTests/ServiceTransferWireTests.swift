import Foundation
import PersistentChat
import SalonAdmin
import SalonClient
import SalonSecurity
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing
import XMPPCore

@Suite("Service export and import, seen over the wire")
struct ServiceTransferWireTests {
    @Test("A service moved by export and import: users log in with their passwords and find their room and its archive")
    func movedService() async throws {
        let path = ScratchDirectory.path("moved", suffix: ".zip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withServer { source in
            let (alice, bob) = try await source.aliceAndBob(in: Room(localpart: "design", name: "Design", category: "Eng", privacy: .open))
            alice.say("design", "before the move")
            _ = try await bob.heard(in: "design")
            _ = try await source.database.rosters.upsert(owner: source.user("alice"), item: RosterItem(jid: source.user("bob"), subscription: "both"))
            await alice.close()
            await bob.close()
            let summary = try await ServiceExporter(database: source.database, domain: TestServer.domain,
                                                    dataDirectory: source.directory + "/data").export(to: path, options: ExportOptions())
            #expect(summary.records("messages.jsonl") == 1)
        }
        try await withServer { target in
            let report = try await ServiceImporter(database: target.database, domain: TestServer.domain,
                                                   dataDirectory: target.directory + "/data").importFile(at: path, dryRun: false)
            #expect(report.conflicts == [] && report.accountsAdded == 2 && report.messagesAdded == 1)
            await target.muc.pollOnce()

            let alice = try await target.online("alice")
            let roster = try await alice.query(target.user("alice"), NS.roster)
            #expect(roster.child("query", namespace: NS.roster)?.elements.map { $0[attribute: "jid"] } == [target.user("bob")])
            #expect(try await alice.join("design", as: "Alice")[attribute: "type"] != "error")
            let (results, _) = try await alice.archive("design@\(chatDomain)")
            #expect(bodies(results) == ["before the move"])
            await alice.close()
        }
    }

    @Test("Accounts from a XEP-0227 file log in with the passwords they had")
    func xep0227Login() async throws {
        let credential = SCRAMCredentials.derive(password: "from-elsewhere", algorithm: .sha1, iterations: 4096)
        let document = """
            <server-data xmlns='urn:xmpp:pie:0'><host jid='\(TestServer.domain)'><user name='migrant'>\
            <scram-credentials xmlns='urn:xmpp:pie:0#scram' mechanism='SCRAM-SHA-1'><iter-count>4096</iter-count>\
            <salt>\(Base64.encode(credential.salt))</salt><server-key>\(Base64.encode(credential.serverKey))</server-key>\
            <stored-key>\(Base64.encode(credential.storedKey))</stored-key></scram-credentials></user>\
            <user name='plain' password='plain-pw'/></host></server-data>
            """
        let path = ScratchDirectory.path("xep0227", suffix: ".xml")
        try Data(document.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withServer { server in
            let report = try await ServiceImporter(database: server.database, domain: TestServer.domain,
                                                   dataDirectory: server.directory + "/data").importFile(at: path, dryRun: false)
            #expect(report.accountsAdded == 2)
            var options = server.options()
            options.mechanism = "SCRAM-SHA-1"
            let migrant = try await XMPPClient.connect(options, username: "migrant", password: "from-elsewhere")
            try await migrant.ping()
            await migrant.close()
            let plain = try await XMPPClient.connect(server.options(), username: "plain", password: "plain-pw")
            try await plain.ping()
            await plain.close()
            await #expect(throws: (any Error).self) {
                _ = try await XMPPClient.connect(options, username: "migrant", password: "wrong")
            }
        }
    }

    @Test("Server administrators export and import through ad-hoc commands, inside the export directory only")
    func adHoc() async throws {
        try await withServer { server in
            try await server.addUser("root")
            try await server.addUser("chatadmin")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.addAdministrator(server.user("root"), role: .server, by: .system)
                try d.addAdministrator(server.user("chatadmin"), by: .system)
                try d.createCategory(openCategory(), by: .system)
                _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng"), by: .system)
            }
            let chatAdmin = try await server.login("chatadmin")
            #expect(!(try await chatAdmin.commandNodes()).contains("service-export"))
            await chatAdmin.close()

            let root = try await server.login("root")
            #expect(try await root.commandNodes().contains("service-export"))
            let exported = try await root.runCommand("service-export", [["file": ["backup.zip"]]])
            #expect(exported.succeeded, "\(String(describing: exported.note))")
            #expect(exported.note?.text.contains("exported 2 accounts, 1 rooms") == true)
            let directory = server.directory + "/data/exports"
            #expect(FileManager.default.fileExists(atPath: directory + "/backup.zip"))

            let escaping = try await root.runCommand("service-export", [["file": ["../outside.zip"]]])
            #expect(escaping.note?.type == "error" && escaping.note?.text.contains("plain file name") == true)
            #expect(!FileManager.default.fileExists(atPath: server.directory + "/data/outside.zip"))

            let imported = try await root.runCommand("service-import", [["file": ["backup.zip"], "dry-run": ["true"]]])
            #expect(imported.succeeded)
            #expect(imported.note?.text.hasPrefix("would add 0 accounts (2 already here)") == true, "\(String(describing: imported.note))")
            await root.close()
        }
    }
}
