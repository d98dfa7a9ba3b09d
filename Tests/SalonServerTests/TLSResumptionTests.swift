import SalonClient
@_spi(Testing) import SalonSecurity
@testable import SalonServer
import Testing

@Suite("TLS session resumption")
struct TLSResumptionTests {
    /// Logs in with `session` offered; returns whether the handshake resumed and the session to offer next.
    private func login(_ server: TestServer, _ name: String, security: XMPPClient.Security = .startTLS,
                       offering session: TLSSession?, mechanism: String? = nil) async throws -> (resumed: Bool, next: TLSSession?) {
        var options = server.options(security)
        options.tlsSession = session
        options.mechanism = mechanism
        let client = try await XMPPClient.connect(options, username: name, password: "pw-\(name)")
        try await client.ping()
        let result = (try await client.tlsResumed(), try await client.resumableTLSSession())
        try await client.channel.close()
        return result
    }

    @Test("A client that keeps the server's ticket resumes its next STARTTLS login, and channel binding still works")
    func startTLSResumes() async throws {
        try await withServer { server in
            try await server.addUser("alice")
            let first = try await login(server, "alice", offering: nil)
            #expect(!first.resumed)
            let ticket = try #require(first.next)
            // SCRAM-SHA-256-PLUS binds to the resumed connection's tls-exporter.
            let second = try await login(server, "alice", offering: ticket, mechanism: "SCRAM-SHA-256-PLUS")
            #expect(second.resumed)
            // A resumed handshake hands out a fresh ticket, which resumes in its turn.
            let secondTicket: TLSSession = try #require(second.next)
            let third = try await login(server, "alice", offering: secondTicket)
            #expect(third.resumed)
        }
    }

    @Test("Direct TLS resumes too")
    func directTLSResumes() async throws {
        try await withServer { server in
            try await server.addUser("bob")
            let first = try await login(server, "bob", security: .directTLS, offering: nil)
            let firstTicket: TLSSession = try #require(first.next)
            let second = try await login(server, "bob", security: .directTLS, offering: firstTicket)
            #expect(second.resumed)
        }
    }

    @Test("A ticket from another server is refused: a full handshake, and the login succeeds")
    func foreignTicket() async throws {
        var foreign: TLSSession?
        try await withServer { other in
            try await other.addUser("carol")
            foreign = try await login(other, "carol", offering: nil).next
        }
        try await withServer { server in
            try await server.addUser("carol")
            let foreignTicket: TLSSession = try #require(foreign)
            let attempt = try await login(server, "carol", offering: foreignTicket)
            #expect(!attempt.resumed)
            #expect(attempt.next != nil)
        }
    }

    @Test("With tls.session_tickets off the server issues no ticket and resumes nothing")
    func ticketsOff() async throws {
        var foreign: TLSSession?
        try await withServer { other in
            try await other.addUser("dave")
            foreign = try await login(other, "dave", offering: nil).next
        }
        try await withServer(configure: { $0.tlsSessionTickets = false }) { server in
            try await server.addUser("dave")
            #expect(server.server.context?.tls?.issuesSessionTickets == false)
            let foreignTicket: TLSSession = try #require(foreign)
            let first = try await login(server, "dave", offering: foreignTicket)
            #expect(!first.resumed)
            #expect(first.next == nil)
        }
    }

    @Test("A ticket outlives one key rotation (and is renewed), not two")
    func keyRotation() async throws {
        try await withServer { server in
            try await server.addUser("erin")
            let tls = try #require(server.server.context?.tls)
            let ticket = try #require(try await login(server, "erin", offering: nil).next)
            #expect(tls.rotateTicketKeysForTesting())
            let afterOne = try await login(server, "erin", offering: ticket)
            #expect(afterOne.resumed)
            #expect(tls.rotateTicketKeysForTesting())
            let afterTwo = try await login(server, "erin", offering: ticket)
            #expect(!afterTwo.resumed)
            // The ticket issued after the first rotation is sealed with the key now previous.
            let renewedTicket: TLSSession = try #require(afterOne.next)
            let renewed = try await login(server, "erin", offering: renewedTicket)
            #expect(renewed.resumed)
        }
    }
}
