import Foundation
import SalonClient
@testable import SalonServer
import SalonSecurity
import Testing
import XMPPCore

@Suite("Stream negotiation over the wire")
struct NegotiationTests {
    @Test("STARTTLS then SCRAM-SHA-256 then bind")
    func startTLSAndSCRAM() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let client = try await server.login("alice", resource: "laptop", mechanism: "SCRAM-SHA-256")
            #expect(client.jid.description == "alice@\(TestServer.domain)/laptop")
            try await client.ping()
            await client.close()
        }
    }

    @Test("Before TLS only STARTTLS is offered, and it is required")
    func tlsRequiredFirst() async throws {
        try await withServer { server async throws in
            let client = try await XMPPClient.open(server.options(.plain))
            let features = try await client.openStream()
            let starttls = try #require(features.child("starttls", namespace: NS.tls))
            #expect(starttls.child("required", namespace: NS.tls) != nil)
            #expect(features.child("mechanisms", namespace: NS.sasl) == nil)
            // Trying anyway is refused.
            var auth = XMLElement("auth", namespace: NS.sasl, attributes: ["mechanism": "PLAIN"])
            auth.append(text: Base64.encode(Array("\0alice\0pw".utf8)))
            client.send(auth)
            let failure = try await client.expect { $0.name == "failure" }
            #expect(failure.elements.first?.name == "encryption-required")
            await client.close()
        }
    }

    @Test("Direct TLS (XEP-0368) with SCRAM-SHA-256-PLUS over tls-exporter", arguments: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS"])
    func directTLSWithChannelBinding(mechanism: String) async throws {
        try await withServer { server async throws in
            try await server.addUser("bob")
            let client = try await server.login("bob", security: .directTLS, mechanism: mechanism)
            #expect(client.offeredMechanisms.withLock { $0 }.contains(mechanism))
            #expect(try await client.channelBinding()?.count == 32)
            try await client.ping()
            await client.close()
            // XEP-0440: the binding types offered are listed with the mechanisms.
            let probe = try await XMPPClient.open(server.options(.directTLS))
            let features = try await probe.openStream()
            let types = features.child("sasl-channel-binding", namespace: "urn:xmpp:sasl-cb:0")?.elements.map { $0[attribute: "type"] }
            #expect(types == ["tls-exporter"])
            await probe.close()
        }
    }

    @Test("Every mechanism logs in over STARTTLS", arguments: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"])
    func everyMechanism(mechanism: String) async throws {
        try await withServer { server async throws in
            try await server.addUser("carol")
            let client = try await server.login("carol", mechanism: mechanism)
            try await client.ping()
            await client.close()
        }
    }

    @Test("Without TLS (loopback test mode) PLAIN and -PLUS are not offered")
    func plaintextModeOffersNoPlain() async throws {
        try await withServer(requireTLS: false) { server async throws in
            try await server.addUser("dave")
            let client = try await server.login("dave", security: .plain)
            let offered = client.offeredMechanisms.withLock { $0 }
            #expect(!offered.isEmpty)
            await client.close()
            let probe = try await XMPPClient.open(server.options(.plain))
            let features = try await probe.openStream()
            let mechanisms = features.child("mechanisms", namespace: NS.sasl)?.elements.map(\.text) ?? []
            #expect(mechanisms.contains("SCRAM-SHA-256"))
            #expect(!mechanisms.contains("PLAIN"))
            #expect(!mechanisms.contains { $0.hasSuffix("-PLUS") })
            #expect(features.child("sasl-channel-binding", namespace: "urn:xmpp:sasl-cb:0") == nil)
            await probe.close()
        }
    }

    @Test("A wrong password and an unknown user both get not-authorized", arguments: ["SCRAM-SHA-256", "PLAIN"])
    func wrongPassword(mechanism: String) async throws {
        try await withServer { server async throws in
            try await server.addUser("erin")
            let throttle = try #require(server.server.context?.throttle)
            for (user, password) in [("erin", "wrong"), ("nobody", "pw-nobody")] {
                var options = server.options()
                options.mechanism = mechanism
                await #expect(throws: ClientError.self) {
                    _ = try await XMPPClient.connect(options, username: user, password: password)
                }
                // The failure went through the login throttle, which delays its answer
                // (the delays themselves: LoginThrottleTests).
                #expect(throttle.failures(account: "\(user)@\(TestServer.domain)") == 1)
            }
        }
    }

    @Test("A login for one account keeps the failures counted against another from the same address")
    func throttleCountsPerAccount() async throws {
        try await withServer { server async throws in
            try await server.addUser("amy")
            try await server.addUser("bob")
            let throttle = try #require(server.server.context?.throttle)
            let bob = "bob@\(TestServer.domain)", amy = "amy@\(TestServer.domain)"
            for account in ["bob", "amy"] {
                await #expect(throws: ClientError.self) {
                    _ = try await XMPPClient.connect(server.options(), username: account, password: "wrong")
                }
            }
            #expect(throttle.failures(account: bob) == 1)
            #expect(throttle.failures(account: amy) == 1)
            let client = try await server.login("amy")
            await client.close()
            #expect(throttle.failures(account: amy) == 0)
            #expect(throttle.failures(account: bob) == 1)
        }
    }

    @Test("An unknown account's SCRAM salt is the same after a restart, and differs between deployments")
    func unknownAccountSaltPersists() async throws {
        func unknownSalt(_ server: TestServer) async throws -> String {
            let client = try await XMPPClient.open(server.options(.plain))
            _ = try await client.openStream()
            let clientFirst = Base64.encode(Array("n,,n=nobody,r=0123456789abcdef".utf8))
            client.sendRaw("<auth xmlns='\(NS.sasl)' mechanism='SCRAM-SHA-256'>\(clientFirst)</auth>")
            let challenge = try await client.expect { $0.name == "challenge" }
            await client.close()
            let serverFirst = String(decoding: Base64.decode(challenge.text) ?? [], as: UTF8.self)
            return serverFirst.split(separator: ",").first { $0.hasPrefix("s=") }.map(String.init) ?? ""
        }
        let first = try await TestServer.start(requireTLS: false)
        defer { first.removeFiles() }
        let salt = try await unknownSalt(first)
        await first.stop()
        #expect(salt.count > 2)

        let restarted = try await TestServer.start(requireTLS: false, directory: first.directory)
        let restartedSalt = try? await unknownSalt(restarted)
        await restarted.stop()
        #expect(restartedSalt == salt)

        try await withServer(requireTLS: false) { other async throws in
            #expect(try await unknownSalt(other) != salt)
        }
    }

    @Test("The server generates a resource when none is asked")
    func generatedResource() async throws {
        try await withServer { server async throws in
            try await server.addUser("fay")
            let client = try await server.login("fay")
            #expect(client.jid.resourcepart?.isEmpty == false)
            await client.close()
        }
    }

    @Test("A second session with the same full JID replaces the first with conflict")
    func bindConflict() async throws {
        try await withServer { server async throws in
            try await server.addUser("gus")
            let first = try await server.login("gus", resource: "phone")
            let second = try await server.login("gus", resource: "phone")
            #expect(try await first.expectStreamError() == "conflict")
            try await second.ping()
            await second.close()
        }
    }

    @Test("The legacy session iq is answered")
    func legacySession() async throws {
        try await withServer { server async throws in
            try await server.addUser("hal")
            let client = try await server.login("hal")
            let reply = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                                            children: [.element(XMLElement("session", namespace: NS.session))]))
            #expect(reply[attribute: "type"] == "result")
            await client.close()
        }
    }

    @Test("Closing the stream is answered with </stream:stream>")
    func cleanClose() async throws {
        try await withServer { server async throws in
            try await server.addUser("ivy")
            let client = try await server.login("ivy")
            client.sendRaw("</stream:stream>")
            #expect(try await client.expectEnd() == "stream closed")
        }
    }

    @Test("Whitespace keepalives are accepted")
    func whitespaceKeepalive() async throws {
        try await withServer { server async throws in
            try await server.addUser("jon")
            let client = try await server.login("jon")
            client.sendRaw(" \n \t ")
            try await client.ping()
            await client.close()
        }
    }

    @Test("Shutdown ends streams with system-shutdown")
    func shutdown() async throws {
        let server = try await TestServer.start()
        try await server.addUser("kim")
        let client = try await server.login("kim")
        await server.stop()
        #expect(try await client.expectStreamError() == "system-shutdown")
        server.removeFiles()
    }

    /// With and without the parser given back in between (the idle timer then counts periods).
    @Test("An idle client is pinged, and one that stays silent is disconnected", arguments: [0, 1.5])
    func idleTimeout(parserRelease: Double) async throws {
        // Not a second or two: on a loaded machine a login step can stall that long, and a
        // stream idle before it is bound is closed without a ping.
        try await withServer(configure: { $0.limits.idleTimeout = 8; $0.limits.idleParserRelease = parserRelease }) { server async throws in
            try await server.addUser("lee")
            let client = try await server.login("lee")
            let ping = try await client.expect(timeout: .seconds(30)) { $0.name == "iq" && $0.child("ping", namespace: NS.ping) != nil }
            #expect(ping[attribute: "type"] == "get")
            #expect(try await client.expectStreamError(timeout: .seconds(30)) == "connection-timeout")
        }
    }
}
