import SalonClient
import SalonSecurity
@testable import SalonServer
import Testing
import XMPPCore

/// What Debian's slixmpp 1.8.3 does over TLS 1.3: SCRAM-*-PLUS with tls-unique (undefined there),
/// then SCRAM with the "y" flag, then the next mechanism on the same stream.
@Suite struct ChannelBindingFallbackTests {
    private func attempt(_ client: XMPPClient, _ mechanism: String, _ clientFirst: String) async throws -> XMLElement {
        var auth = XMLElement("auth", namespace: NS.sasl, attributes: ["mechanism": mechanism])
        auth.append(text: Base64.encode(Array(clientFirst.utf8)))
        client.send(auth)
        return try await client.expect { $0.namespace == NS.sasl && ($0.name == "failure" || $0.name == "challenge") }
    }

    @Test("Refused binding attempts leave the stream open, uncounted, and the next mechanism logs in")
    func bindingMismatchThenPlain() async throws {
        try await withServer { server async throws in
            try await server.addUser("dora")
            let throttle = try #require(server.server.context?.throttle)
            var options = server.options()
            options.mechanism = "PLAIN"
            let client = try await XMPPClient.open(options)
            let features = try await client.secureStream()
            // Four refusals, more than the wrong passwords that end a stream: these guessed nothing.
            for mechanism in ["SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"] {
                let answer = try await attempt(client, mechanism, "p=tls-unique,,n=dora,r=abcdef")
                #expect(answer.name == "failure")
                #expect(answer.child("not-authorized", namespace: NS.sasl) != nil)
                #expect(answer.child("text", namespace: NS.sasl)?.text.contains("tls-unique") == true)
            }
            for mechanism in ["SCRAM-SHA-1", "SCRAM-SHA-256"] {
                // Downgrade protection stays: "y" is refused while -PLUS is offered.
                let answer = try await attempt(client, mechanism, "y,,n=dora,r=abcdef")
                #expect(answer.name == "failure")
            }
            #expect(throttle.failures(account: "dora@\(TestServer.domain)") == 0)
            try await client.authenticate(features: features, username: "dora", password: "pw-dora")
            await client.close()
        }
    }

    @Test("A client that keeps being refused is cut off after the bound")
    func refusalsAreBounded() async throws {
        try await withServer { server async throws in
            let client = try await XMPPClient.open(server.options())
            _ = try await client.secureStream()
            for _ in 0..<SASLExchange.maxRefusedMechanisms {
                var auth = XMLElement("auth", namespace: NS.sasl, attributes: ["mechanism": "SCRAM-SHA-1"])
                auth.append(text: Base64.encode(Array("y,,n=dora,r=abcdef".utf8)))
                client.send(auth)
            }
            #expect(try await client.expectStreamError() == "policy-violation")
        }
    }
}
