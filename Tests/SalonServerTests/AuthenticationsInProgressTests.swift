import Foundation
import SalonClient
@testable import SalonServer
import SalonSecurity
import Testing
import XMPPCore

/// `limits.auth_in_progress_per_address` over the wire. A SCRAM exchange holds its place from the
/// client-first message until it is answered, so the test can hold one without any timing.
@Suite("Authentications in progress per address")
struct AuthenticationsInProgressTests {
    static func clientFirst(_ user: String) -> String {
        "<auth xmlns='\(NS.sasl)' mechanism='SCRAM-SHA-256'>\(Base64.encode(Array("n,,n=\(user),r=0123456789abcdef".utf8)))</auth>"
    }

    @Test("Past the cap an attempt gets temporary-auth-failure unchecked; an answer or a disconnect gives the place back")
    func capPerAddress() async throws {
        let log = LogCapture()
        try await withServer(requireTLS: false, log: log, configure: { $0.limits.authInProgressPerAddress = 1 }) { server async throws in
            try await server.addUser("amy")
            let throttle = try #require(server.server.context?.throttle)
            let holder = try await XMPPClient.open(server.options(.plain))
            _ = try await holder.openStream()
            holder.sendRaw(Self.clientFirst("amy"))
            _ = try await holder.expect { $0.name == "challenge" }
            #expect(throttle.inProgress.count("127.0.0.1") == 1)

            let other = try await XMPPClient.open(server.options(.plain))
            _ = try await other.openStream()
            other.sendRaw(Self.clientFirst("nobody"))
            let refusal = try await other.expect { $0.name == "failure" }
            #expect(refusal.child("temporary-auth-failure", namespace: NS.sasl) != nil)
            // Nothing was checked, so nothing was counted against the name or the address.
            #expect(throttle.failures(account: "nobody@\(TestServer.domain)") == 0)
            let logged = log.lines("authentication refused: too many in progress from this address")
            #expect(logged.count == 1)
            #expect(logged.first?.contains("address=127.0.0.1") == true)
            #expect(logged.first?.contains("account=nobody") == true)

            // The holder gives up: its <failure><aborted/> is sent after the place is given back.
            holder.sendRaw("<abort xmlns='\(NS.sasl)'/>")
            _ = try await holder.expect { $0.name == "failure" }
            other.sendRaw(Self.clientFirst("nobody"))
            _ = try await other.expect { $0.name == "challenge" }

            // A connection that goes away mid-exchange gives its place back too.
            await other.close()
            for _ in 0..<1000 where throttle.inProgress.count("127.0.0.1") > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(throttle.inProgress.count("127.0.0.1") == 0)
            let amy = try await server.login("amy")
            try await amy.ping()
            await amy.close()
            await holder.close()
        }
    }
}
