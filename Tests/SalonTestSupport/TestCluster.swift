import Foundation
import PostgresNIO
import SalonStore

/// The throw-away PostgreSQL cluster `Scripts/test` starts (`Scripts/postgres`) for the test
/// run: tests that use it each get a schema of their own, since they run in parallel.
public enum TestCluster {
    /// The cluster's URL, if one was given.
    public static var url: String? {
        ProcessInfo.processInfo.environment["SALON_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether PostgreSQL tests run: when the cluster is given, and always in CI, where a
    /// missing URL fails them instead of skipping them.
    public static var isEnabled: Bool {
        url != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// The cluster's configuration; without one, a failure that says why.
    public static func configuration() throws -> PostgresConfiguration {
        guard let url else {
            throw StoreError(.other, "SALON_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL tests (Scripts/test)")
        }
        var configuration = try PostgresConfiguration(url: url)
        // Tests share two cores and one cluster: slowness there must not read as the database
        // gone (the outage tests set their own deadlines).
        configuration.operationTimeout = .seconds(60)
        return configuration
    }

    /// The configuration pointed at `schema`, created if it is not there yet.
    public static func schema(_ schema: String) async throws -> PostgresConfiguration {
        var configuration = try configuration()
        try await run("CREATE SCHEMA IF NOT EXISTS \(schema)")
        configuration.schema = schema
        return configuration
    }

    /// A schema name no other test uses.
    public static func scratchName() -> String {
        "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// Runs `body` with the configuration pointed at a new empty schema of its own, dropped after.
    public static func withScratchSchema<T: Sendable>(_ body: (PostgresConfiguration) async throws -> T) async throws -> T {
        let name = scratchName()
        let configuration = try await schema(name)
        do {
            let result = try await body(configuration)
            try await run("DROP SCHEMA \(name) CASCADE")
            return result
        } catch {
            try? await run("DROP SCHEMA \(name) CASCADE")
            throw error
        }
    }

    /// Runs `sql` (made by the test, never from input) on the cluster, outside Salon's stores.
    public static func run(_ sql: String, schema: String? = nil) async throws {
        var configuration = try configuration()
        configuration.schema = schema
        let client = PostgresClient(configuration: configuration.client)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
            group.cancelAll()
        }
    }
}
