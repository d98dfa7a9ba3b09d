import GRDB
@testable import SalonStore
import Testing

/// `salon storage migrate` accounts for every table of the SQLite schema: a table added later
/// must be copied or listed as not copied, or this fails.
@Suite("Migrated tables")
struct MigratedTablesTests {
    /// Salon's tables as the current schema makes them.
    private static func schemaTables(_ database: SalonDatabase) throws -> [String] {
        try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }.filter { !MigratedTables.isInternal($0) }
    }

    @Test("Every table of the SQLite schema is copied by the table copy, by the import, or listed as not copied, once")
    func everyTableAccountedFor() throws {
        let database = try SalonDatabase.inMemory()
        let copied = MigratedTables.copied.map(\.name)
        let lists = [Set(copied), Set(MigratedTables.copiedByImport.keys), Set(MigratedTables.notCopied.keys)]
        let tables = try Self.schemaTables(database)
        #expect(tables.count > 30)
        for table in tables {
            #expect(lists.filter { $0.contains(table) }.count == 1, "\(table) is in \(lists.filter { $0.contains(table) }.count) lists")
        }
        // And nothing listed that the schema no longer has.
        #expect(lists.reduce(Set<String>()) { $0.union($1) }.subtracting(tables).isEmpty)
        #expect(Set(copied).count == copied.count)
    }

    @Test("The table copy names every stored column of its tables, and a key among them")
    func everyColumnCopied() throws {
        let database = try SalonDatabase.inMemory()
        for table in MigratedTables.copied {
            // table_xinfo's hidden is 2 or 3 for generated columns, which each backend computes itself.
            let stored = try database.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT name, hidden FROM pragma_table_xinfo(?)", arguments: [table.name])
                    .filter { ($0["hidden"] as Int) == 0 }.map { $0["name"] as String }
            }
            #expect(stored == table.columns, "\(table.name)")
            #expect(!table.key.isEmpty && table.key.allSatisfy(table.columns.contains), "\(table.name)")
        }
    }

    @Test("A table the lists do not know is found")
    func unknownTableFound() throws {
        let database = try SalonDatabase.inMemory()
        try database.writer.write { db in try db.execute(sql: "CREATE TABLE forgotten (id INTEGER PRIMARY KEY)") }
        let known = Set(MigratedTables.copied.map(\.name)).union(MigratedTables.copiedByImport.keys).union(MigratedTables.notCopied.keys)
        #expect(try Self.schemaTables(database).filter { !known.contains($0) } == ["forgotten"])
    }
}
