import Foundation
@testable import SalonStore
import Testing

/// `storage.postgresql.url` read as libpq reads it, with the password never shown.
@Suite struct PostgresConfigurationTests {
    @Test func aTCPURLGivesEveryPart() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://chat:s%40cret@db.example.com:6543/salon?sslmode=verify-full")
        #expect(configuration.host == "db.example.com")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "chat")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "salon")
        #expect(configuration.tls == .verifyFull)
        #expect(configuration.socketDirectory == nil)
        #expect(!configuration.description.contains("s@cret") && !configuration.description.contains("s%40cret"))
    }

    @Test func loopbackAndSocketsDefaultToNoTLSAndOtherHostsToVerified() throws {
        #expect(try PostgresConfiguration(url: "postgresql://salon@127.0.0.1/salon").tls == .disable)
        #expect(try PostgresConfiguration(url: "postgresql://salon@localhost:5433/salon").tls == .disable)
        let socket = try PostgresConfiguration(url: "postgresql://salon@/salon?host=/run/postgresql")
        #expect(socket.socketDirectory == "/run/postgresql")
        #expect(socket.tls == .disable)
        #expect(socket.port == 5432)
        #expect(try PostgresConfiguration(url: "postgres://salon@db.internal/salon").tls == .verifyFull)
        // No database named: libpq's default, the user's name.
        #expect(try PostgresConfiguration(url: "postgresql://chat@127.0.0.1").database == "chat")
    }

    @Test(arguments: [
        "mysql://salon@127.0.0.1/salon",
        "postgresql:///salon",
        "postgresql://salon@127.0.0.1/salon?sslmode=require",
        "postgresql://salon@127.0.0.1/salon?application_name=x",
        "postgresql://salon@127.0.0.1:70000/salon",
        "not a url at all",
        "postgresql://salon@127.0.0.1/" + String(repeating: "a", count: 5000),
        // verify-full checks a host name: an address or a socket has none to check.
        "postgresql://salon@10.0.0.5/salon",
        "postgresql://salon@[::1]:5432/salon?sslmode=verify-full",
        "postgresql://salon@/salon?host=/run/postgresql&sslmode=verify-full",
        "postgresql://salon@db.internal/salon?sslrootcert=/nonexistent/ca.pem",
        "postgresql://salon@127.0.0.1/salon?sslmode=disable&sslrootcert=/etc/hostname",
    ])
    func whatCannotBeReadIsRefused(url: String) {
        #expect(throws: StoreError.self) { try PostgresConfiguration(url: url) }
    }

    @Test func anOrganisationsCAVerifiesTheServer() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://salon@db.internal/salon?sslmode=verify-full&sslrootcert=/etc/hostname")
        #expect(configuration.tls == .verifyFull)
        #expect(configuration.rootCertificates == "/etc/hostname")
    }

    @Test func thePasswordCanComeFromAFileButNotFromBoth() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("salon-pg-\(UUID().uuidString)")
        try Data("from-the-file\nsecond line ignored\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try PostgresConfiguration(url: "postgresql://salon@127.0.0.1/salon", passwordFile: file.path)
        #expect(configuration.password == "from-the-file")
        #expect(throws: StoreError.self) {
            try PostgresConfiguration(url: "postgresql://salon:inline@127.0.0.1/salon", passwordFile: file.path)
        }
        #expect(throws: StoreError.self) {
            try PostgresConfiguration(url: "postgresql://salon@127.0.0.1/salon", passwordFile: file.path + ".missing")
        }
    }
}
