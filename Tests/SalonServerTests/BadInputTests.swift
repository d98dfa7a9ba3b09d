import Foundation
import NIOCore
import NIOPosix
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Hostile input gets a clear stream error, never a crash, and leaves other sessions alone")
struct BadInputTests {
    let domain = TestServer.domain
    let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='salon.test' version='1.0'>"

    /// Sends `payload` on a fresh plain connection (after a header when `afterHeader`) and
    /// returns the stream error condition.
    func streamError(_ server: TestServer, afterHeader: Bool = true, _ payload: String) async throws -> String {
        let client = try await XMPPClient.open(server.options(.plain))
        if afterHeader {
            client.sendRaw(header)
            _ = try await client.expect { $0.name == "features" }
        }
        client.sendRaw(payload)
        let condition = try await client.expectStreamError()
        _ = try await client.expectEnd()
        return condition
    }

    @Test("Malformed XML, restricted XML, oversize, unknown elements, wrong host", arguments: [
        ("<message><body>unclosed</message>", "not-well-formed"),
        ("<message>&undefined;</message>", "not-well-formed"),
        ("<!-- comment -->", "restricted-xml"),
        ("<?pi something?>", "restricted-xml"),
        ("<foo xmlns='urn:example'/>", "unsupported-stanza-type"),
        ("<message xmlns='jabber:client' to='x@salon.test'><body>before auth</body></message>", "not-authorized"),
    ])
    func afterHeader(payload: String, expected: String) async throws {
        try await withServer { server async throws in
            #expect(try await streamError(server, payload) == expected)
        }
    }

    @Test("DOCTYPE and entity declarations are restricted-xml")
    func doctype() async throws {
        try await withServer { server async throws in
            let bomb = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;'>]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='salon.test' version='1.0'>"
            #expect(try await streamError(server, afterHeader: false, bomb) == "restricted-xml")
        }
    }

    @Test("Wrong host, wrong namespace, missing version")
    func badHeaders() async throws {
        try await withServer { server async throws in
            #expect(try await streamError(server, afterHeader: false,
                "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='other.example' version='1.0'>") == "host-unknown")
            #expect(try await streamError(server, afterHeader: false,
                "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' to='salon.test' version='1.0'>") == "invalid-namespace")
            #expect(try await streamError(server, afterHeader: false,
                "<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong' to='salon.test' version='1.0'>") == "invalid-namespace")
            #expect(try await streamError(server, afterHeader: false,
                "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='salon.test'>") == "unsupported-version")
        }
    }

    @Test("An oversized stanza is a policy-violation, and the other sessions carry on")
    func oversized() async throws {
        try await withServer(configure: { $0.limits.maxStanzaBytes = 16_384 }) { server async throws in
            try await server.addUser("alice")
            try await server.addUser("mallory")
            let alice = try await server.online("alice")
            let mallory = try await server.online("mallory")
            mallory.sendRaw("<message to='alice@\(domain)'><body>" + String(repeating: "A", count: 20_000) + "</body></message>")
            #expect(try await mallory.expectStreamError() == "policy-violation")
            try await alice.ping()
        }
    }

    @Test("Too deep nesting is a policy-violation")
    func tooDeep() async throws {
        try await withServer { server async throws in
            try await server.addUser("mallory")
            let mallory = try await server.online("mallory")
            mallory.sendRaw("<message>" + String(repeating: "<a>", count: 100))
            #expect(try await mallory.expectStreamError() == "policy-violation")
        }
    }

    @Test("Garbage and plaintext on the direct TLS port close the connection; the server keeps serving")
    func garbageOnTLSPort() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            for payload in [header, String(repeating: "\u{16}\u{03}\u{01}garbage", count: 50)] {
                try await expectClosedByServer(port: server.ports.directTLS!, sending: payload)
            }
            let alice = try await server.login("alice", security: .directTLS)
            try await alice.ping()
        }
    }

    @Test("STARTTLS after TLS is refused with a failure")
    func startTLSTwice() async throws {
        try await withServer { server async throws in
            let client = try await XMPPClient.open(server.options(.directTLS))
            _ = try await client.openStream()
            client.send(XMLElement("starttls", namespace: NS.tls))
            _ = try await client.expect { $0.name == "failure" && $0.namespace == NS.tls }
        }
    }

    @Test("A stanza with a malformed to gets jid-malformed")
    func malformedTo() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            alice.sendRaw("<message to='a@b@c/' type='chat'><body>x</body></message>")
            let error = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(error) == "jid-malformed")
        }
    }

    @Test("Connections beyond the per-address limit are refused")
    func connectionLimit() async throws {
        try await withServer(configure: { $0.limits.maxConnectionsPerAddress = 2 }) { server async throws in
            let a = try await XMPPClient.open(server.options(.plain))
            let b = try await XMPPClient.open(server.options(.plain))
            _ = try await a.openStream()
            _ = try await b.openStream()
            try await expectClosedByServer(port: server.ports.c2s, sending: header)
        }
    }
}

/// Connects, sends `payload`, and waits (10 s at most) for the server to close the connection.
func expectClosedByServer(port: Int, sending payload: String) async throws {
    let channel = try await ClientBootstrap(group: XMPPClient.sharedGroup).connect(host: "127.0.0.1", port: port).get()
    channel.writeAndFlush(channel.allocator.buffer(string: payload), promise: nil)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await channel.closeFuture.get() }
        group.addTask { try await Task.sleep(for: .seconds(10)); throw ClientError("the server did not close the connection") }
        try await group.next()
        group.cancelAll()
    }
}
