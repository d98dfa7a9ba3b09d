import Foundation
import PostgresNIO
@testable import SalonStore
import SalonTestSupport
import Testing

/// The backends the shared store tests run on: the same assertions against each.
enum TestBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    /// PostgreSQL runs when its cluster is given, and always in CI (`TestCluster.isEnabled`).
    static var postgresEnabled: Bool { TestCluster.isEnabled }

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
        return try await TestCluster.withScratchSchema { configuration in
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

