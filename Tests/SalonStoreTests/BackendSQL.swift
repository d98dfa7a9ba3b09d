import Foundation
import GRDB
import PostgresNIO
@testable import SalonStore
import SalonTestSupport

/// Raw SQL under a backend's stores (tests look beneath them): the statement text must be
/// valid on both SQLite and PostgreSQL.
func executeRaw(_ backend: any StoreBackend, _ sql: String) async throws {
    switch backend {
    case let sqlite as SalonDatabase:
        try await sqlite.writer.write { db in try db.execute(sql: sql) }
    case let postgres as PostgresBackend:
        _ = try await postgres.access.query(PostgresQuery(unsafeSQL: sql))
    default:
        throw StoreError(.other, "unknown backend \(type(of: backend))")
    }
}

/// The number of rows of `table` matching `condition` (made by the test, never from input).
func rowCount(_ backend: any StoreBackend, _ table: String, where condition: String = "1 = 1") async throws -> Int {
    let sql = "SELECT COUNT(*) FROM \(table) WHERE \(condition)"
    switch backend {
    case let sqlite as SalonDatabase:
        return try await sqlite.writer.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    case let postgres as PostgresBackend:
        return try await postgres.access.query(PostgresQuery(unsafeSQL: sql)).first?.decode(Int.self) ?? -1
    default:
        throw StoreError(.other, "unknown backend \(type(of: backend))")
    }
}

/// Two handles on one fresh, empty store, standing for two nodes (or the server and a command
/// line): two SQLite connections pools on one file, or two PostgreSQL pools on one schema.
func withTwoNodes<T: Sendable>(_ kind: TestBackend,
                               _ body: (any StoreBackend, any StoreBackend) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        return try await withTemporaryDirectory { path in
            let first = try SalonDatabase(directory: path)
            let second = try SalonDatabase(directory: path)
            defer {
                try? first.close()
                try? second.close()
            }
            return try await body(first, second)
        }
    case .postgresql:
        return try await TestCluster.withScratchSchema { configuration in
            let first = try await PostgresBackend.open(configuration)
            let second: PostgresBackend
            do {
                second = try await PostgresBackend.open(configuration)
            } catch {
                await first.shutdown()
                throw error
            }
            do {
                let result = try await body(first, second)
                await first.shutdown()
                await second.shutdown()
                return result
            } catch {
                await first.shutdown()
                await second.shutdown()
                throw error
            }
        }
    }
}
