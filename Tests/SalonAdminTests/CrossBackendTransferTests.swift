import Foundation
import PersistentChat
@testable import SalonAdmin
import SalonStore
import SalonTestSupport
import Testing

/// The export format across backends, and `salon storage migrate`'s copy and comparison.
@Suite("Transfer across backends", .enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
struct CrossBackendTransferTests {
    @Test("An export of SQLite imported into PostgreSQL exports the same, and back into SQLite too")
    func sqliteToPostgresAndBack() async throws {
        let sqlite = try TransferService.make()
        try await sqlite.populate()
        let first = try await sqlite.export()

        let postgres = try await TransferService.make(.postgresql)
        let report = try await postgres.importer().importFile(at: first, dryRun: false)
        #expect(report.conflicts == [] && report.committed)
        #expect((report.accountsAdded, report.messagesAdded, report.personalMessagesAdded, report.filesAdded) == (2, 5, 2, 1))
        let second = try await postgres.export()
        #expect(try TransferService.contents(of: first) == TransferService.contents(of: second))
        #expect(try await postgres.database.chat.loadDirectory() == sqlite.database.chat.loadDirectory())

        let back = try TransferService.make()
        #expect(try await back.importer().importFile(at: second, dryRun: false).conflicts == [])
        #expect(try TransferService.contents(of: try await back.export()) == TransferService.contents(of: first))
    }

    @Test("Imported messages get sequences after the room's own, and later posts follow them")
    func sequencesContinue() async throws {
        let sqlite = try TransferService.make()
        try await sqlite.populate()
        let path = try await sqlite.export()
        let postgres = try await TransferService.make(.postgresql)
        let writer = postgres.database.archiveWriter(commitObserver: nil)
        _ = try await writer.append(StoredMessage(room: "lobby", stanzaID: "own-0", senderJID: "carol@example.com", nick: "Carol",
                                                  occupantID: "c", timestamp: Date(), body: "first", stanza: "<message/>"))
        #expect(try await postgres.importer().importFile(at: path, dryRun: false).messagesAdded == 5)
        let later = try await writer.append(StoredMessage(room: "lobby", stanzaID: "own-1", senderJID: "carol@example.com",
                                                          nick: "Carol", occupantID: "c", timestamp: Date(), body: "after",
                                                          stanza: "<message/>"))
        await writer.close()
        let imported = try #require(try await postgres.database.archive.message(room: "lobby", stanzaID: "lobby-2"))
        #expect(imported.sequence == 4 && later == 5)
    }

    @Test("Migrate copies a SQLite service into PostgreSQL, every kind matches; again copies nothing; a new message differs")
    func migrate() async throws {
        let sqlite = try TransferService.make()
        try await sqlite.populate()
        try await sqlite.database.compliance.append((0..<3).map { index in
            ComplianceEvent(.chat, time: 1_780_000_000_000 + Int64(index), actorBare: "alice@example.com",
                            actorFull: "alice@example.com/phone", room: "lobby", payload: "<message><body>\(index)</body></message>")
        })
        if let intent = try await sqlite.database.compliance.beginExport(limit: 2, time: 1_780_000_100_000) {
            try await sqlite.database.compliance.finishExport(intent, files: ["out.xml"], time: 1_780_000_100_001)
        }
        let source = try #require(sqlite.database as? SalonDatabase)
        _ = try await source.accounts.metadata("occupant-id-secret", storingIfAbsent: "c2VjcmV0IG9mIHRoZSByb29tcw==")
        let postgres = try await TransferService.make(.postgresql)
        let target = try #require(postgres.database as? PostgresBackend)

        let outcome = try await StorageMigration(source: source, target: target).run()
        #expect(outcome.report.conflicts == [] && outcome.firstMismatch == nil)
        #expect(outcome.lines.count == 4 + MigratedTables.copied.count + 1 && outcome.lines.allSatisfy { $0.hasSuffix("matches") })
        #expect(try await postgres.database.accounts.metadata("occupant-id-secret") == "c2VjcmV0IG9mIHRoZSByb29tcw==")
        #expect(outcome.lines.contains { $0.hasPrefix("room messages: 5 on both, sha256 ") })
        #expect(outcome.lines.contains { $0.hasPrefix("table compliance_events: 3 on both, sha256 ") })
        #expect(outcome.tablesAdded.first { $0.table == "compliance_events" }?.rows == 3)

        let again = try await StorageMigration(source: source, target: target).run()
        #expect(again.firstMismatch == nil)
        #expect((again.report.accountsAdded, again.report.messagesAdded) == (0, 0))
        #expect(again.tablesAdded.allSatisfy { $0.rows == 0 })
        #expect(again.report.messagesPresent == 5)

        // What the copy missed is named: the comparison is over both sides as they are now.
        let writer = source.archiveWriter(commitObserver: nil)
        _ = try await writer.append(StoredMessage(room: "lobby", stanzaID: "late", senderJID: "alice@example.com", nick: "Alice",
                                                  occupantID: "a", timestamp: Date(), body: "late", stanza: "<message/>"))
        await writer.close()
        let before = try await TransferDigest.of(source)
        let after = try await TransferDigest.of(postgres.database)
        let (lines, first) = before.compared(with: after, source: "SQLite", target: "PostgreSQL")
        #expect(first == "room messages")
        #expect(lines.contains("room messages: 6 in SQLite, 5 in PostgreSQL: DIFFER"))
        #expect(try await StorageMigration(source: source, target: target).run().firstMismatch == nil)

        // A secret the target made for itself differs, and is named without its value.
        try await postgres.database.accounts.setMetadata("occupant-id-secret", "b3RoZXI=")
        let secret = try await StorageMigration(source: source, target: target).run()
        #expect(secret.firstMismatch == "service metadata")
        #expect(secret.lines.last == "service metadata: occupant-id-secret differ in PostgreSQL: DIFFER")
    }

    @Test("More rows than a page or a batch: every kind crosses its page and batch bounds and still matches")
    func manyRows() async throws {
        let sqlite = try TransferService.make()
        try await sqlite.populate()
        let source = try #require(sqlite.database as? SalonDatabase)
        // Seeded through the import: one transaction, so the test stays quick.
        let accounts = (0..<3).map { TransferredAccount(jid: "user\($0)@example.com") }
        var seed = ServiceImport(accounts: accounts)
        seed.messages = { each in
            for index in 0..<2_600 {
                let room = ["lobby", "plans", "quiet"][index % 3]
                try each(StoredMessage(room: room, stanzaID: "bulk-\(index)", senderJID: "user\(index % 3)@example.com",
                                       nick: "U", occupantID: "u", timestamp: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)),
                                       body: "bulk \(index)", stanza: "<message/>"))
            }
        }
        seed.personalMessages = { each in
            for index in 0..<1_300 {
                try each(PersonalMessage(owner: "user\(index % 3)@example.com", stanzaID: "pbulk-\(index)", with: "alice@example.com",
                                         outgoing: index % 2 == 0, timestamp: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)),
                                         body: "p \(index)", stanza: "<message/>"))
            }
        }
        #expect(try await source.transfer.importService(seed, dryRun: false).messagesAdded == 2_600)
        try await source.compliance.append((0..<1_100).map { index in
            ComplianceEvent(.chat, time: 1_790_000_000_000 + Int64(index), actorBare: "user0@example.com",
                            actorFull: "user0@example.com/x", room: "lobby", payload: "<message><body>\(index)</body></message>")
        })

        let postgres = try await TransferService.make(.postgresql)
        let outcome = try await StorageMigration(source: source, target: try #require(postgres.database as? PostgresBackend)).run()
        #expect(outcome.firstMismatch == nil, "\(outcome.lines)")
        #expect(outcome.lines.contains { $0.hasPrefix("room messages: 2,605 on both") })
        #expect(outcome.lines.contains { $0.hasPrefix("personal messages: 1,302 on both") })
        #expect(outcome.lines.contains { $0.hasPrefix("table compliance_events: 1,100 on both") })
        #expect(try await postgres.messageCount(room: "lobby") == 867 + 3)
        let since = try await postgres.database.transfer.export { source in
            var count = 0
            try await source.forEachRoomMessage(rooms: ["plans"], since: Date(timeIntervalSince1970: 1_790_001_000)) { _ in count += 1 }
            return count
        }
        #expect(since == 534)
    }

    @Test("Counts are grouped by thousands")
    func grouping() {
        #expect([0, 12, 999, 1000, 12345, 1_234_567].map(TransferDigest.grouped) == ["0", "12", "999", "1,000", "12,345", "1,234,567"])
    }
}
