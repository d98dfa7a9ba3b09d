import Foundation
import PostgresNIO
@testable import SalonStore
import Testing

/// The backends the shared store tests run on: the same assertions against each.
enum TestBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    /// The throw-away cluster `Scripts/test` starts (`Scripts/postgres`), if any.
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["SALON_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// PostgreSQL runs when its cluster is given, and always in CI, where a missing URL fails
    /// the tests instead of skipping them.
    static var postgresEnabled: Bool {
        postgresURL != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    static let skipReason: Comment =
        "SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster and sets it): PostgreSQL store tests skipped"

    static var all: [TestBackend] { postgresEnabled ? [.sqlite, .postgresql] : [.sqlite] }
}

/// Runs `body` with a fresh, empty, migrated backend of `kind`, closed after.
func withBackend<T: Sendable>(_ kind: TestBackend, _ body: (any StoreBackend) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        return try await body(SalonDatabase.inMemory())
    case .postgresql:
        return try await withScratchSchema { configuration in
            let database = try await PostgresBackend.open(configuration)
            do {
                let result = try await body(database)
                await database.shutdown()
                return result
            } catch {
                await database.shutdown()
                throw error
            }
        }
    }
}

/// Runs `body` with the test cluster's configuration pointed at a new empty schema of its own
/// (tests run in parallel), dropped after.
func withScratchSchema<T: Sendable>(_ body: (PostgresConfiguration) async throws -> T) async throws -> T {
    var configuration = try testClusterConfiguration()
    let schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try await onTestCluster("CREATE SCHEMA \(schema)")
    configuration.schema = schema
    do {
        let result = try await body(configuration)
        try await onTestCluster("DROP SCHEMA \(schema) CASCADE")
        return result
    } catch {
        try? await onTestCluster("DROP SCHEMA \(schema) CASCADE")
        throw error
    }
}

/// The test cluster's configuration; in CI without one, a failure that says why.
func testClusterConfiguration() throws -> PostgresConfiguration {
    guard let url = TestBackend.postgresURL else {
        throw StoreError(.other, "SALON_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL store tests (Scripts/test)")
    }
    var configuration = try PostgresConfiguration(url: url)
    // Tests share two cores and one cluster: slowness there must not read as the database gone
    // (PostgresOutageTests set their own deadlines).
    configuration.operationTimeout = .seconds(60)
    return configuration
}

/// Runs `sql` (made by the test, never from input) on the test cluster, outside Salon's stores.
func onTestCluster(_ sql: String, schema: String? = nil) async throws {
    var configuration = try testClusterConfiguration()
    configuration.schema = schema
    let client = PostgresClient(configuration: configuration.client)
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { await client.run() }
        try await client.query(PostgresQuery(unsafeSQL: sql))
        group.cancelAll()
    }
}
