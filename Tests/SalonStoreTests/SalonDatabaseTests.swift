import Foundation
import GRDB
import Testing
@testable import SalonStore

@Suite struct SalonDatabaseTests {
    @Test func freshFileDatabaseIsMigratedWithSafePragmas() async throws {
        try await withTemporaryDirectory { directory in
            let nested = directory + "/data/salon"
            let database = try SalonDatabase(directory: nested)
            defer { try? database.close() }
            #expect(database.path == nested + "/salon.sqlite")
            #expect(FileManager.default.fileExists(atPath: nested + "/salon.sqlite"))
            #expect(database.writer is DatabasePool)

            let tables = try await database.writer.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
            for table in ["users", "credentials", "roster_items", "roster_versions", "offline_messages", "metadata"] {
                #expect(tables.contains(table), "missing table \(table)")
            }

            let pragmas = try await database.writer.write { db in
                (journal: try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                 foreignKeys: try Int.fetchOne(db, sql: "PRAGMA foreign_keys"),
                 busyTimeout: try Int.fetchOne(db, sql: "PRAGMA busy_timeout"),
                 synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous"))
            }
            #expect(pragmas.journal == "wal")
            #expect(pragmas.foreignKeys == 1)
            #expect((pragmas.busyTimeout ?? 0) >= 5000)
            #expect(pragmas.synchronous == 1)  // NORMAL

            // Readers get the same settings as the writer.
            let readerForeignKeys = try await database.writer.read { db in
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            }
            #expect(readerForeignKeys == 1)
        }
    }

    @Test func databaseFileIsPrivateToItsOwner() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SalonDatabase(directory: directory)
            defer { try? database.close() }
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/salon.sqlite")
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(mode & 0o077 == 0, "salon.sqlite mode is \(String(mode, radix: 8))")
        }
    }

    @Test func reopeningKeepsDataAndAppliesNoMigrationTwice() async throws {
        try await withTemporaryDirectory { directory in
            let first = try SalonDatabase(directory: directory)
            try await first.accounts.create(jid: "alice@example.com", credentials: [sampleCredential()])
            try await first.accounts.setMetadata("admin-created", "yes")
            try first.close()

            let second = try SalonDatabase(directory: directory)
            defer { try? second.close() }
            #expect(try await second.accounts.exists(jid: "alice@example.com"))
            #expect(try await second.accounts.metadata("admin-created") == "yes")
            let applied = try await second.writer.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
            #expect(applied == SalonSchema.migrator.migrations)
        }
    }

    @Test func concurrentOpensOfAFreshDirectoryAllSucceed() async throws {
        try await withTemporaryDirectory { directory in
            let databases = try await withThrowingTaskGroup(of: SalonDatabase.self) { group in
                for _ in 0..<4 {
                    group.addTask { try SalonDatabase(directory: directory) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(databases.count == 4)
            for database in databases {
                #expect(try await database.accounts.count(domain: nil) == 0)
                try database.close()
            }
        }
    }

    @Test func inMemoryDatabasesAreMigratedAndIndependent() async throws {
        let one = try SalonDatabase.inMemory()
        let two = try SalonDatabase.inMemory()
        #expect(one.path == nil)
        try await one.accounts.create(jid: "alice@example.com", credentials: [])
        #expect(try await one.accounts.exists(jid: "alice@example.com"))
        #expect(try await two.accounts.exists(jid: "alice@example.com") == false)
        let foreignKeys = try await one.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(foreignKeys == 1)
    }

    @Test func aSchemaFromANewerSalonIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SalonDatabase(directory: directory)
            try await database.writer.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')")
            }
            try database.close()
            let kind = await storeErrorKind { _ = try SalonDatabase(directory: directory) }
            #expect(kind == .schemaTooNew)
        }
    }

    @Test func closedDatabaseReportsStoreErrors() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SalonDatabase(directory: directory)
            try database.close()
            let kind = await storeErrorKind { _ = try await database.accounts.count(domain: nil) }
            #expect(kind == .other)
        }
    }

    @Test func sqliteLibraryIsRecentEnough() throws {
        try SQLiteLibrary.check()
        #expect(SQLiteLibrary.version.hasPrefix("3."))
    }
}
