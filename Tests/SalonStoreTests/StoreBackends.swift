import Foundation
import PostgresNIO
@testable import SalonStore
import SalonTestSupport
import Testing

/// The backends the shared store tests run on: the same assertions against each.
enum TestBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    /// The throw-away cluster `Scripts/test` starts (`Scripts/postgres`), if any.
    static var postgresURL: String? { TestCluster.url }

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
    try await TestCluster.withScratchSchema(body)
}

/// The test cluster's configuration; in CI without one, a failure that says why.
func testClusterConfiguration() throws -> PostgresConfiguration {
    try TestCluster.configuration()
}

/// Runs `sql` (made by the test, never from input) on the test cluster, outside Salon's stores.
func onTestCluster(_ sql: String, schema: String? = nil) async throws {
    try await TestCluster.run(sql, schema: schema)
}
