import Foundation
import PostgresNIO
@testable import SalonStore
import SalonTestSupport
import Testing

extension TestBackend: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
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

