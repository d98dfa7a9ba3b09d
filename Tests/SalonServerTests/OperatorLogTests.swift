import SalonClient
import SalonSecurity
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
}
