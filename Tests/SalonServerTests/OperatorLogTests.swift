import PersistentChat
import SalonAdmin
import SalonClient
import SalonSecurity
@testable import SalonServer
import Testing
import XMPPCore

/// What an operator reads in the log: one line per event, naming who and why.
@Suite struct OperatorLogTests {
    @Test("A failed login names the account, the mechanism and the cause")
    func failedAuthentication() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            try await server.addUser("erin")
            for (user, password, mechanism) in [("erin", "hunter2", "SCRAM-SHA-256"), ("nobody", "hunter3", "PLAIN")] {
                var options = server.options()
                options.mechanism = mechanism
                await #expect(throws: ClientError.self) { _ = try await XMPPClient.connect(options, username: user, password: password) }
            }
            let failed = log.lines("authentication failed")
            #expect(failed.count == 2)
            #expect(failed.first { $0.contains("account=erin@salon.test") && $0.contains("mechanism=SCRAM-SHA-256") && $0.contains("cause=wrong password") } != nil,
                    "\(failed)")
            #expect(failed.first { $0.contains("account=nobody@salon.test") && $0.contains("mechanism=PLAIN") && $0.contains("cause=unknown account") } != nil,
                    "\(failed)")
            // Never a secret: not even the password that was tried.
            #expect(failed.allSatisfy { !$0.contains("hunter") })
        }
    }

    @Test("An ordinary user's search is not logged as an admin command; an administrator's command is")
    func searchIsNoAdminCommand() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            try await AdHocTests().setUp(server)
            let carol = try await server.online("carol")
            #expect(try await carol.runCommand("search", [["keywords": ["budget"]]]).status == "completed")
            #expect(log.lines("admin command").isEmpty, "\(log.lines("admin command"))")
            #expect(log.lines("user command").contains { $0.contains("actor=carol@salon.test") && $0.contains("command=search") })
            let root = try await server.online("root")
            #expect(try await root.runCommand("room-list", [[:]]).succeeded)
            #expect(log.lines("admin command").contains { $0.contains("actor=root@salon.test") && $0.contains("command=room-list") })
        }
    }

    @Test("A change the CLI saves is logged once the server picks it up, naming the operator")
    func cliChangeIsLogged() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.createCategory(openCategory(), by: .system) }
            // What `salon room create` does: a save straight to the database.
            _ = try await ChatAdministration(database: server.database).perform { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createRoom(Room(localpart: "outside", name: "Outside", category: "Eng", privacy: .open), by: .system)
            }
            await server.muc.pollOnce()
            let picked = log.lines("chat directory change picked up")
            #expect(picked.count == 1 && picked[0].contains("change=room created: outside") && picked[0].contains("actor=operator (salon CLI)"),
                    "\(picked)")
        }
    }

    @Test("A room created by joining it is logged with its creator")
    func roomCreationByJoinIsLogged() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            try await server.addUser("alice")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(creators: [server.user("alice")]), by: .system)
            }
            let alice = try await server.online("alice")
            #expect(try await alice.createRoomByJoining("fresh", name: "Fresh")[attribute: "type"] == "result")
            let created = log.lines("room created by join")
            #expect(created.count == 1 && created[0].contains("account=alice@salon.test") && created[0].contains("room=fresh"), "\(created)")
            // The server's own change is not reported as one picked up from the CLI.
            await server.muc.pollOnce()
            #expect(log.lines("chat directory change picked up").isEmpty)
        }
    }
}
