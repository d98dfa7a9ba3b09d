import Foundation
import GRDB
import Testing
@testable import SalonStore

@Suite struct ArchiveMigrationTests {
    @Test func messagesArchivedBeforeTheArchiveMigrationAreKeptCountedAndIndexed() async throws {
        try await withTemporaryDirectory { path in
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let file = path + "/" + SalonDatabase.fileName
            let old = try DatabaseQueue(path: file)
            try SalonSchema.migrator.migrate(old, upTo: "v2-persistent-chat")
            try await old.write { db in
                for (room, sequence, body) in [("lobby", 1, "early café"), ("deals", 1, "other room"), ("lobby", 2, "later words")] {
                    try db.execute(sql: """
                        INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp, body, stanza)
                        VALUES (?, ?, ?, 'alice@example.com', 'Alice', '', ?, ?, '<message/>')
                        """, arguments: [room, sequence, "\(room)-\(sequence)", 1_700_000_000_000 + sequence, body])
                }
                try db.execute(sql: "INSERT INTO room_sequences (room, last) VALUES ('lobby', 5)")
            }
            try old.close()

            let database = try SalonDatabase(directory: path)
            defer { try? database.close() }
            let page = try await database.archive.query(ArchiveQuery(rooms: ["lobby"]))
            #expect(page.ids == ["lobby-1", "lobby-2"] && page.count == 2)
            #expect(page.messages.allSatisfy { !$0.alert && !$0.retracted })
            var search = ArchiveQuery(rooms: ["lobby", "deals"])
            search.text = TextFilter("cafe")
            #expect(try await database.archive.query(search).ids == ["lobby-1"])
            let writer = ArchiveWriter(database: database)
            #expect(try await writer.append(archiveMessage("lobby", 3)) == 6)
            await writer.close()
        }
    }
}
