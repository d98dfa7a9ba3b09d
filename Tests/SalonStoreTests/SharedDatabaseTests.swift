import GRDB
import SalonSecurity
import Testing
@testable import SalonStore

/// Two SalonDatabase instances on one directory stand for the server and a CLI command.
@Suite struct SharedDatabaseTests {
    @Test func twoInstancesSeeEachOthersWrites() async throws {
        try await withTemporaryDirectory { directory in
            let server = try SalonDatabase(directory: directory)
            let cli = try SalonDatabase(directory: directory)
            defer {
                try? server.close()
                try? cli.close()
            }
            // Each reads once before the other writes, so a stale snapshot would show.
            #expect(try await server.accounts.count(domain: nil) == 0)
            #expect(try await cli.accounts.count(domain: nil) == 0)

            try await cli.accounts.create(jid: "alice@example.com", credentials: [sampleCredential()])
            #expect(try await server.accounts.exists(jid: "alice@example.com"))
            #expect(try await server.accounts.credential(jid: "alice@example.com", algorithm: .sha256)
                    == sampleCredential())

            let version = try await server.rosters.upsert(owner: "alice@example.com", item: RosterItem(jid: "bob@example.com"))
            #expect(try await cli.rosters.version(owner: "alice@example.com") == version)
            #expect(try await server.offline.enqueue(owner: "alice@example.com", stanza: "<message/>", limit: 10))
            #expect(try await cli.offline.count(owner: "alice@example.com") == 1)

            try await cli.accounts.setCredentials(jid: "alice@example.com", credentials: [sampleCredential(seed: 5)])
            #expect(try await server.accounts.credential(jid: "alice@example.com", algorithm: .sha256)
                    == sampleCredential(seed: 5))

            try await cli.accounts.delete(jid: "alice@example.com")
            #expect(try await server.accounts.exists(jid: "alice@example.com") == false)
            #expect(try await server.offline.count(owner: "alice@example.com") == 0)
        }
    }

    @Test func concurrentWritersFromBothInstancesAllLand() async throws {
        try await withTemporaryDirectory { directory in
            let server = try SalonDatabase(directory: directory)
            let cli = try SalonDatabase(directory: directory)
            defer {
                try? server.close()
                try? cli.close()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let database = index.isMultiple(of: 2) ? server : cli
                    group.addTask { try await database.accounts.create(jid: "user\(index)@example.com", credentials: []) }
                }
                try await group.waitForAll()
            }
            #expect(try await server.accounts.count(domain: "example.com") == 20)
            #expect(try await cli.accounts.count(domain: "example.com") == 20)
        }
    }
}
