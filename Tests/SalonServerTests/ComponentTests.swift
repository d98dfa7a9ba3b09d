import Foundation
import NIOCore
import SalonClient
import SalonSecurity
@testable import SalonServer
import Testing
import XMPPCore

/// A raw XEP-0114 connection.
struct ComponentPeer {
    let client: XMPPClient

    /// A connection whose component stream is open (the server answered the header), before any handshake.
    static func open(port: Int, domain: String) async throws -> XMPPClient {
        let client = try await XMPPClient.open(XMPPClient.Options(port: port, domain: domain, security: .plain))
        client.sendRaw("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='\(domain)'>")
        return client
    }

    static func connect(port: Int, domain: String, secret: String) async throws -> (ComponentPeer, String?) {
        let client = try await open(port: port, domain: domain)
        guard let id = try await client.expectHeader().attributes["id"] else { throw ClientError("no stream id") }
        let digest = Crypto.hash(.sha1, Array((id + secret).utf8)).map { String(format: "%02x", $0) }.joined()
        client.sendRaw("<handshake>\(digest)</handshake>")
        let reply = try await client.expect { ($0.name == "handshake") || ($0.name == "error" && $0.namespace == NS.streams) }
        if reply.name == "handshake" { return (ComponentPeer(client: client), nil) }
        return (ComponentPeer(client: client), reply.elements.first?.name)
    }

    func send(_ xml: String) { client.sendRaw(xml) }
}

@Suite("External components (XEP-0114)")
struct ComponentTests {
    let domain = TestServer.domain

    @Test("Handshake, then stanzas flow both ways between a user and the component's JIDs")
    func routing() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"]) { server async throws in
            try await server.addUser("alice")
            let (component, error) = try await ComponentPeer.connect(port: server.ports.component!, domain: "bot.salon.test", secret: "s3cret")
            #expect(error == nil)
            let alice = try await server.online("alice")

            alice.send(message(to: "helper@bot.salon.test", body: "hello bot"))
            let received = try await component.client.expect { $0.name == "message" }
            #expect(received.namespace == NS.component)
            #expect(received.child("body", namespace: NS.component)?.text == "hello bot")
            #expect(received[attribute: "from"] == alice.jid.description)

            component.send("<message from='helper@bot.salon.test' to='\(alice.jid)' type='chat'><body>hello human</body></message>")
            let answer = try await alice.expect { $0.name == "message" }
            #expect(answer.child("body", namespace: NS.client)?.text == "hello human")
            #expect(answer[attribute: "from"] == "helper@bot.salon.test")

            // Subdomains of the component are its too.
            alice.send(message(to: "x@rooms.bot.salon.test", body: "sub"))
            _ = try await component.client.expect { $0.name == "message" && $0[attribute: "to"] == "x@rooms.bot.salon.test" }
        }
    }

    @Test("A wrong secret gets not-authorized; an unknown domain host-unknown; a spoofed from invalid-from")
    func refusals() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"]) { server async throws in
            let port = server.ports.component!
            let (_, wrong) = try await ComponentPeer.connect(port: port, domain: "bot.salon.test", secret: "nope")
            #expect(wrong == "not-authorized")
            let (_, unknown) = try await ComponentPeer.connect(port: port, domain: "other.salon.test", secret: "s3cret")
            #expect(unknown == "host-unknown")
            let (component, ok) = try await ComponentPeer.connect(port: port, domain: "bot.salon.test", secret: "s3cret")
            #expect(ok == nil)
            component.send("<message from='admin@\(domain)' to='alice@\(domain)'><body>spoof</body></message>")
            #expect(try await component.client.expectStreamError() == "invalid-from")
        }
    }

    @Test("Wrong secrets are answered not-authorized through the throttle, counted for the component; the right one clears the count")
    func handshakeThrottle() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"]) { server async throws in
            let port = server.ports.component!
            let throttle = try #require(server.server.context?.componentThrottle)
            for _ in 0..<2 {
                let (_, wrong) = try await ComponentPeer.connect(port: port, domain: "bot.salon.test", secret: "guess")
                #expect(wrong == "not-authorized")
            }
            #expect(throttle.failures(account: "bot.salon.test") == 2)
            // A third guess, even from elsewhere, would wait twice as long as the second.
            #expect(throttle.failure(account: "bot.salon.test", address: "192.0.2.1").delay == .milliseconds(1000))
            // Client logins are throttled apart.
            #expect(try #require(server.server.context?.throttle).failures(account: "bot.salon.test") == 0)
            let (_, ok) = try await ComponentPeer.connect(port: port, domain: "bot.salon.test", secret: "s3cret")
            #expect(ok == nil)
            #expect(throttle.failures(account: "bot.salon.test") == 0)
        }
    }

    @Test("A component that opens its stream and never completes the handshake is closed with connection-timeout")
    func handshakeTimeout() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"], configure: { $0.limits.negotiationTimeout = 5 }) { server async throws in
            let silent = try await ComponentPeer.open(port: server.ports.component!, domain: "bot.salon.test")
            // Long enough for the stream to open on a loaded machine; the idle timeout (minutes) would
            // not end it within the deadline below, the negotiation timeout must.
            #expect(try await silent.expectStreamError(timeout: .seconds(30)) == "connection-timeout")
        }
    }

    @Test("Stanzas to a configured but disconnected component bounce with service-unavailable")
    func disconnected() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"]) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            alice.send(message(to: "helper@bot.salon.test", body: "anyone?"))
            let bounced = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(bounced) == "service-unavailable")
        }
    }
}
