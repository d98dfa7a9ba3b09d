import Foundation
@testable import SalonStore
import SalonTestSupport
import Testing

/// `sslmode=verify-full` against a cluster of the test's own that takes TLS: the connection is
/// encrypted, and a server whose certificate the configured CA did not sign is refused.
@Suite(.enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)), .tags(.databaseFaults))
struct PostgresTLSTests {
    @Test func aVerifiedConnectionIsEncryptedAndAnUnknownCAIsRefused() async throws {
        try await PrivateCluster.with(tls: true) { cluster in
            let port = try #require(URLComponents(string: cluster.url)?.port)
            let authority = try cluster.certificateAuthority()
            var configuration = try PostgresConfiguration(
                url: "postgresql://salon@localhost:\(port)/salon?sslmode=verify-full&sslrootcert=\(authority)")
            configuration.startupTimeout = .seconds(20)
            let backend = try await PostgresBackend.open(configuration)
            let encrypted = try await backend.access.transaction { transaction in
                try await transaction.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.decode(Bool.self)
            }
            await backend.shutdown()
            #expect(encrypted == true)

            // Another CA, as a server impersonating the database would present.
            let other = FileManager.default.temporaryDirectory.appendingPathComponent("salon-other-ca-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: other, withIntermediateDirectories: false)
            defer { try? FileManager.default.removeItem(at: other) }
            let made = try Spawn.run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                 "-days", "1", "-subj", "/CN=Another CA", "-keyout", other.path + "/ca.key",
                                                 "-out", other.path + "/ca.pem"])
            #expect(made.succeeded, "\(made.output)")
            var impostor = try PostgresConfiguration(
                url: "postgresql://salon@localhost:\(port)/salon?sslmode=verify-full&sslrootcert=\(other.path)/ca.pem")
            impostor.startupTimeout = .seconds(3)
            await #expect(throws: StoreError.self) { _ = try await PostgresBackend.open(impostor) }
        }
    }
}
