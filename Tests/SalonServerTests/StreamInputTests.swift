import SalonClient
import SalonSecurity
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Input that arrives while a stream awaits storage")
struct StreamInputTests {
    @Test("is kept and answered in order after the lookup")
    func pipelinedBehindAStorageLookup() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let domain = TestServer.domain
            // A roster get awaits storage; the pings behind it come in meanwhile.
            let roster = { (id: String) in "<iq type='get' id='\(id)'><query xmlns='jabber:iq:roster'/></iq>" }
            let pings = (0..<2000).map { "<iq type='get' id='p\($0)' to='\(domain)'><ping xmlns='urn:xmpp:ping'/></iq>" }
            let burst = roster("r1") + pings.joined() + roster("r2")
            alice.sendRaw(burst)

            var answered: [String] = []
            for _ in 0..<(pings.count + 2) {
                let reply = try await alice.expect { $0.name == "iq" && $0[attribute: "type"] == "result" }
                answered.append(reply[attribute: "id"] ?? "")
            }
            #expect(answered == ["r1"] + (0..<2000).map { "p\($0)" } + ["r2"])
        }
    }

    @Test("stops being read past a bound and is read again once the stream resumes")
    func readingPausesAndResumes() async throws {
        // More input before authentication than a stream may send by default.
        try await withServer(configure: { $0.limits.negotiationBytes = 4 << 20 }) { server async throws in
            try await server.addUser("bea")
            let client = try await XMPPClient.open(server.options())
            _ = try await client.secureStream()
            let plain = { (password: String) in
                "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"
                    + Base64.encode(Array("\0bea\0\(password)".utf8)) + "</auth>"
            }
            // A failed attempt is answered after the throttle's delay (at least 250 ms), time
            // enough for all the whitespace behind it to arrive while the stream is suspended
            // (many times the bound: reading stops only after the read cycle under way).
            let padding = String(repeating: " ", count: 16 * XMPPStream.maxBytesWhileSuspended)
            client.sendRaw(plain("wrong") + padding + plain("pw-bea"))
            _ = try await client.expect { $0.namespace == NS.sasl && $0.name == "failure" }
            _ = try await client.expect { $0.namespace == NS.sasl && $0.name == "success" }
            await client.close()
        }
    }
}
