import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// A quiet stream gives back its XML parser (`limits.idleParserRelease`) and parses its next
/// bytes with a fresh one: stanzas, limits and stream errors are as before.
@Suite("Idle streams give back their parser")
struct IdleParserTests {
    /// Waits until every stream of the server is parked, or with `parked: false` until one is not.
    static func waitForStreams(of server: TestServer, parked: Bool = true) async throws {
        for _ in 0 ..< 3_000 {
            var states: [Bool] = []
            for stream in server.server.context?.streams.all ?? [] {
                states.append(try await stream.eventLoop.submit { stream.isParserParked }.get())
            }
            if parked ? !states.contains(false) : states.contains(false) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the streams never became \(parked ? "parked" : "unparked")")
    }

    @Test("a stanza split across reads after the parser was freed still arrives, and limits hold")
    func splitStanzaAfterRelease() async throws {
        try await withServer(configure: {
            $0.limits.idleParserRelease = 0.2
            $0.limits.maxStanzaBytes = 10_000
        }) { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await Self.waitForStreams(of: server)

            let stanza = "<message to='bob@\(TestServer.domain)' type='chat' id='split'><body>after a quiet while</body></message>"
            let bytes = Array(stanza.utf8)
            alice.sendRaw(Array(bytes[..<40]))
            // The first piece has been read once alice's parser is back (it cannot park mid-stanza).
            try await Self.waitForStreams(of: server, parked: false)
            alice.sendRaw(Array(bytes[40...]))
            let received = try await bob.expect { $0.name == "message" && $0[attribute: "id"] == "split" }
            #expect(received.child("body", namespace: NS.client)?.text == "after a quiet while")

            // Quiet again: parked again, and an oversized stanza is refused as it always was.
            try await Self.waitForStreams(of: server)
            alice.sendRaw("<message to='bob@\(TestServer.domain)'><body>" + String(repeating: "a", count: 12_000) + "</body></message>")
            #expect(try await alice.expectStreamError() == "policy-violation")
            await bob.close()
        }
    }

    @Test("bad XML after the parser was freed is a stream error")
    func errorsAfterRelease() async throws {
        try await withServer(configure: { $0.limits.idleParserRelease = 0.2 }) { server async throws in
            try await server.addUser("carol")
            let carol = try await server.online("carol")
            try await Self.waitForStreams(of: server)
            carol.sendRaw("<message><body>unclosed</message>")
            #expect(try await carol.expectStreamError() == "not-well-formed")
        }
    }
}
