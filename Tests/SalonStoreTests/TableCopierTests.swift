import GRDB
@testable import SalonStore
import SalonTestSupport
import Testing

/// The generic table copy's conversions and refusals (the whole copy is `MigrateTests`).
@Suite("Table copier")
struct TableCopierTests {
    @Test("Values are normalised by the target column's type; a type the copy does not know is refused")
    func conversions() throws {
        #expect(try TableColumnType(catalog: "boolean").canonical(.integer(5), "t.c") == .integer(1))
        #expect(try TableColumnType(catalog: "boolean").canonical(.integer(0), "t.c") == .integer(0))
        #expect(try TableColumnType(catalog: "bytea").canonical(.text("ab"), "t.c") == .bytes([0x61, 0x62]))
        #expect(try TableColumnType(catalog: "bigint").canonical(.null, "t.c") == .null)
        #expect(throws: StoreError.self) { try TableColumnType(catalog: "bigint").canonical(.text("12"), "t.c") }
        #expect(throws: StoreError.self) { try TableColumnType(catalog: "jsonb") }
    }

    @Test("Text PostgreSQL cannot hold (a NUL character) stops the copy with an error naming the column", 
          .enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
    func nulRefused() async throws {
        let source = try SalonDatabase.inMemory()
        try await source.writer.write { db in
            try db.execute(sql: "INSERT INTO users (jid, created_at) VALUES ('a@example.com', 1)")
            try db.execute(sql: "INSERT INTO vcards (owner, xml) VALUES ('a@example.com', '<vCard>' || char(0) || '</vCard>')")
        }
        let target = try await PostgresBackend.open(try await TestCluster.schema(TestCluster.scratchName()))
        defer { Task { await target.shutdown() } }
        try await target.accounts.create(jid: "a@example.com", credentials: [])
        let copier = try await TableCopier.open(target: target)
        let vcards = try #require(MigratedTables.copied.first { $0.name == "vcards" })
        let error = await #expect(throws: StoreError.self) { try await copier.copy(vcards, from: source.currentState) }
        #expect(error?.kind == .invalidArgument && error?.message.contains("vcards.xml") == true)
        #expect(try await target.vCards.vCard(owner: "a@example.com") == nil)
    }
}
