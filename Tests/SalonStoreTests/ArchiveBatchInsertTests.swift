import Foundation
import GRDB
import Testing
@testable import SalonStore

@Suite struct ArchiveBatchInsertTests {
    private func item(_ message: StoredMessage) -> ArchiveBatchInsert.Item {
        ArchiveBatchInsert.Item(message: message, timestamp: Int64(message.timestamp.timeIntervalSince1970 * 1000))
    }

    @Test func aLargeBatchIsChunkedAndDuplicatesFailAlone() async throws {
        let database = try SalonDatabase.inMemory()
        _ = try await SQLiteArchiveWriter(database: database).append(archiveMessage("lobby", 0))
        // More rows than one statement takes, so full chunks and a remainder are both written.
        var messages = (1...2_500).map { archiveMessage($0.isMultiple(of: 2) ? "lobby" : "deals", $0) }
        messages.insert(archiveMessage("lobby", 0), at: 10)        // already archived
        messages.insert(archiveMessage("deals", 7), at: 2_000)     // a duplicate inside the batch
        var bare = archiveMessage("lobby", 9_999, body: "")
        bare.subject = nil
        bare.occupantID = ""
        messages.append(bare)
        let items = messages.map(item)
        let results = try await database.writer.write { db in try ArchiveBatchInsert.insert(items, db) }

        #expect(results.count == messages.count)
        let failures = results.enumerated().filter { if case .failure = $0.element { true } else { false } }.map(\.offset)
        #expect(failures == [10, 2_000])
        let lobby = results.enumerated().compactMap { offset, result in
            messages[offset].room == "lobby" ? try? result.get() : nil
        }
        #expect(lobby == Array(2...1_252))
        let deals = results.enumerated().compactMap { offset, result in
            messages[offset].room == "deals" ? try? result.get() : nil
        }
        #expect(deals == Array(1...1_250))

        let stored = try #require(try await database.archive.message(room: "lobby", stanzaID: "lobby-9999"))
        #expect(stored.body == "" && stored.occupantID == "" && stored.subject == nil && stored.sequence == 1_252)
        #expect(try await database.archive.query(ArchiveQuery(rooms: ["lobby", "deals"])).count == 2_502)
        var search = ArchiveQuery(rooms: ["deals"])
        search.text = TextFilter("message 2499", match: .exact)
        #expect(try await database.archive.query(search).ids == ["deals-2499"])
    }

    @Test func statementSizesArePowersOfTwoWithinTheParameterLimit() throws {
        #expect([0, 1, 2, 3, 4, 5, 1000, 1024, 1025].map(ArchiveInsertStatement.powerOfTwo(atMost:))
                == [1, 1, 2, 2, 4, 4, 512, 1024, 1024])
        let database = try SalonDatabase.inMemory()
        let largest = try database.writer.read { db in ArchiveInsertStatement.maxRows(db) }
        #expect(largest == ArchiveInsertStatement.powerOfTwo(atMost: largest))
        #expect(largest <= ArchiveInsertStatement.largestRows)
    }

    @Test func aDuplicateInALaterStatementUndoesTheWholeAttempt() async throws {
        let database = try SalonDatabase.inMemory()
        _ = try await SQLiteArchiveWriter(database: database).append(archiveMessage("lobby", 1_090))
        // 1,100 rows: a 1024-row statement succeeds before the 64-row one meets the duplicate.
        let messages = (0..<1_100).map { archiveMessage("lobby", $0, body: "word\($0) common") }
        let results = try await database.writer.write { db in try ArchiveBatchInsert.insert(messages.map(item), db) }

        let failures = results.enumerated().filter { if case .failure = $0.element { true } else { false } }.map(\.offset)
        #expect(failures == [1_090])
        #expect(results.compactMap { try? $0.get() } == Array(2...1_100))
        #expect(try await database.archive.query(ArchiveQuery(rooms: ["lobby"])).count == 1_100)
        // The index holds each message once: the undone attempt left no terms behind.
        let common = archiveQuery("lobby") { $0.text = TextFilter("common") }
        #expect(try await database.archive.query(common).count == 1_099)
        let last = archiveQuery("lobby") { $0.text = TextFilter("word1099") }
        #expect(try await database.archive.query(last).ids == ["lobby-1099"])
        // And agrees with the messages table (FTS5 throws SQLITE_CORRUPT_VTAB otherwise).
        try await database.writer.write { db in
            try db.execute(sql: "INSERT INTO room_messages_fts (room_messages_fts, rank) VALUES ('integrity-check', 1)")
        }
    }
}
