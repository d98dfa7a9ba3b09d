import Foundation
import SalonClient
import SalonSecurity
@testable import SalonServer
import Testing

/// #18 item 6: no secret reaches the log at any level. Real logins over the wire, with a wrong
/// and then the right password, for every mechanism, while the server logs at trace.
@Suite struct SecretsInLogTests {
    static let password = "Correct-Horse-7731"
    static let wrong = "Wrong-Battery-4410"

    @Test("A wrong and a right password, every mechanism, logged at trace: no password, key, proof or SASL payload")
    func noSecretAtAnyLevel() async throws {
        let log = LogCapture(level: .trace)
        try await withServer(log: log) { server async throws in
            _ = try await server.accounts.add("erin", password: Self.password)
            for mechanism in ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"] {
                var options = server.options()
                options.mechanism = mechanism
                await #expect(throws: ClientError.self) { _ = try await XMPPClient.connect(options, username: "erin", password: Self.wrong) }
                let client = try await XMPPClient.connect(options, username: "erin", password: Self.password)
                await client.close()
            }
            // The log was kept: each wrong password is there, without its secret.
            #expect(log.lines("authentication failed").count == 4)

            let lines = log.all
            #expect(!lines.isEmpty)
            for secret in try await secrets(server) {
                let leaks = lines.filter { $0.contains(secret) }
                #expect(leaks.isEmpty, "\(secret) in the log: \(leaks)")
            }
        }
    }

    /// Every form of a secret the server holds or receives for erin.
    private func secrets(_ server: TestServer) async throws -> [String] {
        var secrets = [Self.password, Self.wrong]
        for password in [Self.password, Self.wrong] {
            // PLAIN's payload as it crosses the wire.
            secrets.append(Base64.encode(SASLPlain.message(username: "erin", password: password)))
        }
        for algorithm in HashAlgorithm.allCases {
            let stored = try #require(try await server.database.accounts.credential(jid: "erin@salon.test", algorithm: algorithm))
            let salted = Crypto.pbkdf2(algorithm, password: Array(Self.password.utf8), salt: stored.salt, iterations: stored.iterations)
            for key in [salted, stored.storedKey, stored.serverKey] {
                secrets += [Hex.encode(key), Base64.encode(key), "\(key)"]
            }
        }
        // The start of each SCRAM message in Base64, as `<auth/>` and `<response/>` carry them
        // (the proof travels in client-final): "n,,n=erin", "p=tls-exporter,", "c=biws", "c=cD10".
        secrets += ["biwsbj1lcmlu", "cD10bHMtZXhwb3J0ZXIs", "Yz1iaXdz", "Yz1jRDEw"]
        return secrets
    }
}
