import Foundation
import PostgresNIO
@testable import SalonStore
import SalonTestSupport
import Testing

/// What only the PostgreSQL backend has: its migrations under the advisory lock, refusing a
/// newer schema, a server that cannot be reached. The stores' behaviour is tested once per
/// backend in their own suites (`TestBackend`).
@Suite(.enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
struct PostgresBackendTests {
    @Test func theTestClusterIsPostgreSQL15() async throws {
        try await withBackend(.postgresql) { database async throws in
            let postgres = try #require(database as? PostgresBackend)
            let rows = try await postgres.access.query("SELECT current_setting('server_version_num')::int")
            #expect(try rows.first?.decode(Int.self) ?? 0 >= 150000)
        }
    }

    /// A statement first prepared on an empty archive must not keep that plan (a sequential
    /// scan) as the archive grows: every execution is planned for the table as it is; and no
    /// query waits for JIT compilation.
    @Test func sessionsPlanEachExecutionWithoutJIT() async throws {
        try await withBackend(.postgresql) { database async throws in
            let postgres = try #require(database as? PostgresBackend)
            let rows = try await postgres.access.query("SELECT current_setting('plan_cache_mode'), current_setting('jit')")
            let settings = try rows.first?.decode((String, String).self)
            #expect(settings?.0 == "force_custom_plan")
            #expect(settings?.1 == "off")
        }
    }

    @Test func nodesStartingAtOnceMigrateOnceUnderTheLock() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let nodes = try await withThrowingTaskGroup(of: PostgresBackend.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await PostgresBackend.open(configuration) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let applied = try await nodes[0].access.query("SELECT name FROM salon_migrations ORDER BY name")
                .map { try $0.decode(String.self) }
            #expect(applied == PostgresSchema.migrations.map(\.name).sorted())
            // One database: what one node writes, another reads.
            try await nodes[1].accounts.create(jid: "alice@example.com", credentials: [sampleCredential()])
            #expect(try await nodes[3].accounts.credential(jid: "alice@example.com", algorithm: .sha256) == sampleCredential())
            for node in nodes { await node.shutdown() }
        }
    }

    @Test func aDatabaseMigratedByANewerSalonIsRefused() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let first = try await PostgresBackend.open(configuration)
            await first.shutdown()
            try await TestCluster.run("INSERT INTO salon_migrations (name, applied_at) VALUES ('v999-from-the-future', 0)",
                                    schema: configuration.schema)
            let kind = await storeErrorKind { _ = try await PostgresBackend.open(configuration) }
            #expect(kind == .schemaTooNew)
        }
    }

    @Test func aFailedCreateInsideItsTransactionLeavesNothing() async throws {
        try await withBackend(.postgresql) { database async throws in
            // A constraint the credential breaks, so its insert fails after the user row's:
            // the transaction takes the user row back with it.
            let postgres = try #require(database as? PostgresBackend)
            _ = try await postgres.access.transaction { transaction in
                try await transaction.query("ALTER TABLE credentials ADD CONSTRAINT test_small_salt CHECK (length(salt) < 4)")
            }
            let kind = await storeErrorKind {
                try await database.accounts.create(jid: "alice@example.com", credentials: [sampleCredential()])
            }
            #expect(kind == .other)
            #expect(try await database.accounts.exists(jid: "alice@example.com") == false)
        }
    }

    @Test func aServerThatIsNotThereIsUnavailable() async throws {
        // Port 1 of the loopback: nothing listens there, so every connection is refused and
        // the pool keeps retrying until the start-up deadline.
        var configuration = try TestCluster.configuration()
        configuration.port = 1
        configuration.startupTimeout = .milliseconds(500)
        let kind = await storeErrorKind { _ = try await PostgresBackend.open(configuration) }
        #expect(kind == .unavailable)
    }
}
