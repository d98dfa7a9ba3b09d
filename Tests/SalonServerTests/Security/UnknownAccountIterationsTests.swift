import Foundation
import SalonAdmin
import SalonClient
import SalonSecurity
@testable import SalonServer
import Testing
import XMPPCore

/// #18 item 6: an unknown account's SCRAM server-first must not tell it apart from a real one.
@Suite struct UnknownAccountIterationsTests {
    @Test("With scram.iterations above 4096, an unknown user is offered the same count as a real one")
    func unknownUserShowsConfiguredIterations() async throws {
        try await withServer(requireTLS: false, configure: { $0.scramIterations = 6000 }) { server async throws in
            let accounts = AccountService(database: server.database, domain: TestServer.domain, iterations: 6000)
            _ = try await accounts.add("erin", password: "pw-erin")
            for mechanism in ["SCRAM-SHA-256", "SCRAM-SHA-1"] {
                let real = try await serverFirst(server, user: "erin", mechanism: mechanism)
                let unknown = try await serverFirst(server, user: "nobody", mechanism: mechanism)
                #expect(real["i"] == "6000", "\(real)")
                #expect(unknown["i"] == real["i"], "\(mechanism): \(unknown) beside \(real)")
                #expect(unknown["s"]?.count == real["s"]?.count)
            }
        }
    }

    /// The server-first message's attributes for a client-first naming `user`.
    private func serverFirst(_ server: TestServer, user: String, mechanism: String) async throws -> [String: String] {
        let client = try await XMPPClient.open(server.options(.plain))
        _ = try await client.openStream()
        let clientFirst = Base64.encode(Array("n,,n=\(user),r=0123456789abcdef".utf8))
        client.sendRaw("<auth xmlns='\(NS.sasl)' mechanism='\(mechanism)'>\(clientFirst)</auth>")
        let challenge = try await client.expect { $0.name == "challenge" }
        await client.close()
        let text = String(decoding: Base64.decode(challenge.text) ?? [], as: UTF8.self)
        var attributes: [String: String] = [:]
        for field in text.split(separator: ",") where field.count >= 2 {
            attributes[String(field.prefix(1))] = String(field.dropFirst(2))
        }
        return attributes
    }
}
