import Foundation
import GRDB
import Testing
@testable import SalonStore

/// The rooms' full-text index written behind the archive (migration v13-archive-write-path).
@Suite struct ArchiveDeferredIndexTests {
    private func mark(_ database: SalonDatabase) async throws -> Int64 {
        try await database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM room_messages_fts_through") ?? -1 }
    }

    private func backlog(_ database: SalonDatabase) async throws -> Int {
        try await database.writer.read { db in try ArchiveIndexCatchUp.backlog(db) }
    }

    /// FTS5 compares the index with the messages table (SQLITE_CORRUPT_VTAB when they differ).
    private func checkIndex(_ database: SalonDatabase) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "INSERT INTO room_messages_fts (room_messages_fts, rank) VALUES ('integrity-check', 1)")
        }
    }

    private func search(_ database: SalonDatabase, _ words: String) async throws -> [String] {
        try await database.archive.query(archiveQuery("lobby") { $0.text = TextFilter(words); $0.max = 1000 }).ids
    }

    @Test func aGroupCommitLeavesTheIndexBehindAndASearchBringsItUpToDate() async throws {
        let database = try await archiveWith([archiveMessage("lobby", 0, body: "budget review"),
                                             archiveMessage("lobby", 1, body: "lunch"),
                                             archiveMessage("lobby", 2, body: "budget approved")])
        #expect(try await mark(database) == 0)
        #expect(try await backlog(database) == 3)
        #expect(try await search(database, "budget") == ["lobby-0", "lobby-2"])
        #expect(try await mark(database) == 3)
        #expect(try await backlog(database) == 0)
        // The room-only count comes from the counts table, the text count from FTS5 alone.
        #expect(try await database.archive.query(archiveQuery("lobby") { $0.text = TextFilter("budget") }).count == 2)
        try await checkIndex(database)
    }

    @Test func theWriterIndexesOnceEnoughPostsHaveGathered() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database)
        let total = ArchiveIndexCatchUp.writerThreshold + 100
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<total {
                group.addTask { try await writer.append(archiveMessage("lobby", index, body: "word\(index) common")) }
            }
            for try await _ in group {}
        }
        await writer.close()
        #expect(try await mark(database) >= Int64(ArchiveIndexCatchUp.writerThreshold))
        #expect(try await backlog(database) < ArchiveIndexCatchUp.writerThreshold)
        #expect(try await database.archive.query(archiveQuery("lobby") { $0.text = TextFilter("common") }).count == total)
        try await checkIndex(database)
    }

    @Test func aWriterStartingBehindIndexesTheTailARunPerGroupCommit() async throws {
        let database = try SalonDatabase.inMemory()
        // A long tail no writer counted (as an import or a crash leaves it).
        let tail = ArchiveIndexCatchUp.writerRunRows + 500
        let items = (0..<tail).map { index in
            let message = archiveMessage("lobby", index, body: "imported \(index)")
            return ArchiveBatchInsert.Item(message: message, timestamp: Int64(1_700_000_000_000 + index))
        }
        _ = try await database.writer.write { db in try ArchiveBatchInsert.insert(items, db) }
        #expect(try await backlog(database) == tail)
        let writer = SQLiteArchiveWriter(database: database)
        _ = try await writer.append(archiveMessage("lobby", tail, body: "fresh"))
        await writer.close()
        #expect(try await backlog(database) == tail + 1 - ArchiveIndexCatchUp.writerRunRows)
        #expect(try await database.archive.query(archiveQuery("lobby") { $0.text = TextFilter("imported") }).count == tail)
        #expect(try await backlog(database) == 0)
        try await checkIndex(database)
    }

    @Test func removalReplacementAndRetractionOfUnindexedMessagesKeepTheIndexRight() async throws {
        let database = try await archiveWith((0..<6).map { archiveMessage("lobby", $0, body: "budget item \($0)") })
        let archive = database.archive
        #expect(try await backlog(database) == 6)
        // Not yet indexed: the retraction and the plain removal leave the index alone…
        #expect(try await archive.retract(room: "lobby", stanzaID: "lobby-0", tombstone: "<message/>") != nil)
        #expect(try await archive.remove(room: "lobby", authors: ["alice@example.com"], from: archiveTime(1), to: archiveTime(1),
                                         text: nil, replacement: nil) == 1)
        // …a text-filtered one indexes first, so it finds what it must replace.
        let replaced = try await archive.remove(room: "lobby", authors: [], from: nil, to: nil, text: TextFilter("item 2"),
                                                replacement: ArchiveReplacement(body: "gone", stanza: { _ in "<message/>" }))
        #expect(replaced == 1)
        #expect(try await backlog(database) == 0)
        #expect(try await search(database, "budget") == ["lobby-3", "lobby-4", "lobby-5"])
        #expect(try await search(database, "gone") == ["lobby-2"])
        try await checkIndex(database)
    }

    /// Deleting the highest row lets SQLite hand its id out again, below the mark: the group
    /// commit lowers the mark first, so the reused id waits above it for a run like any new row.
    @Test func anIDReusedBelowTheMarkLowersTheMarkAndIsFound() async throws {
        let database = try await archiveWith([archiveMessage("lobby", 0, body: "first"), archiveMessage("lobby", 1, body: "second")])
        #expect(try await search(database, "second") == ["lobby-1"])
        #expect(try await mark(database) == 2)
        #expect(try await database.archive.remove(room: "lobby", authors: [], from: archiveTime(1), to: archiveTime(1),
                                                  text: nil, replacement: nil) == 1)
        let writer = SQLiteArchiveWriter(database: database)
        _ = try await writer.append(archiveMessage("lobby", 2, body: "third"))
        await writer.close()
        let reused = try await database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM room_messages WHERE stanza_id = 'lobby-2'") }
        #expect(reused == 2)
        #expect(try await mark(database) == 1)
        #expect(try await backlog(database) == 1)
        #expect(try await search(database, "third") == ["lobby-2"])
        #expect(try await search(database, "second") == [])
        #expect(try await database.archive.query(archiveQuery("lobby")).count == 2)
        try await checkIndex(database)
    }

    @Test func theIndexCatchesUpAfterARestartAndTheMigrationCoversExistingMessages() async throws {
        try await withTemporaryDirectory { path in
            let old = try ArchiveMigrationTests().databaseMigrated(upTo: "v12-compliance-file-downloads", in: path)
            try await old.write { db in
                for index in 0..<2 {
                    let message = archiveMessage("lobby", index, body: "old words \(index)")
                    try db.execute(sql: """
                        INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp, body, stanza)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [message.room, index + 1, message.stanzaID, message.senderJID, message.nick,
                                         message.occupantID, 1_700_000_000_000 + index, message.body, message.stanza])
                }
            }
            try old.close()

            var database = try SalonDatabase(directory: path)
            #expect(try await mark(database) == 2)
            let writer = SQLiteArchiveWriter(database: database)
            _ = try await writer.append(archiveMessage("lobby", 2, body: "new words"))
            await writer.close()
            #expect(try await backlog(database) == 1)
            try database.close()

            database = try SalonDatabase(directory: path)
            defer { try? database.close() }
            #expect(try await backlog(database) == 1)
            #expect(try await search(database, "words") == ["lobby-0", "lobby-1", "lobby-2"])
            // Counted by the old trigger before the migrations, by the group commit after.
            #expect(try await database.archive.query(archiveQuery("lobby")).count == 3)
            try await checkIndex(database)
        }
    }
}
