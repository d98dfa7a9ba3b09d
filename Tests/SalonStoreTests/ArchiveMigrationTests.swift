import Foundation
import GRDB
import Testing
@testable import SalonStore

@Suite struct ArchiveMigrationTests {
    /// A database file in `directory` as an older Salon left it: migrated only up to `migration`.
    func databaseMigrated(upTo migration: String, in directory: String) throws -> DatabaseQueue {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let old = try DatabaseQueue(path: directory + "/" + SalonDatabase.fileName)
        try SalonSchema.migrator.migrate(old, upTo: migration)
        return old
    }

    @Test func messagesArchivedBeforeTheArchiveMigrationAreKeptCountedAndIndexed() async throws {
        try await withTemporaryDirectory { path in
            let old = try databaseMigrated(upTo: "v2-persistent-chat", in: path)
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
            let writer = SQLiteArchiveWriter(database: database)
            #expect(try await writer.append(archiveMessage("lobby", 3)) == 6)
            await writer.close()
        }
    }

    @Test func theLeanIndexMigrationRebuildsTheFullTextIndexOfAnExistingArchive() async throws {
        try await withTemporaryDirectory { path in
            let old = try databaseMigrated(upTo: "v3-archive", in: path)
            try await old.write { db in
                for (index, body) in ["déjà vu in the lobby", "nothing to see", "vu again"].enumerated() {
                    let message = archiveMessage("lobby", index, body: body)
                    try db.execute(sql: """
                        INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp, body, stanza)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [message.room, index + 1, message.stanzaID, message.senderJID, message.nick,
                                         message.occupantID, 1_700_000_000_000 + index, message.body, message.stanza])
                }
                #expect(try db.tableExists("room_messages_fts_docsize"))
            }
            try old.close()

            let database = try SalonDatabase(directory: path)
            defer { try? database.close() }
            try await database.writer.read { db in
                #expect(try !db.tableExists("room_messages_fts_docsize"))
                let automerge = try Int.fetchOne(db, sql: "SELECT v FROM room_messages_fts_config WHERE k = 'automerge'")
                #expect(automerge == SalonSchema.archiveAutomerge)
            }
            let search = archiveQuery("lobby") { $0.text = TextFilter("deja vu", match: .exact) }
            #expect(try await database.archive.query(search).ids == ["lobby-0"])
            // The triggers keep feeding the new index.
            let writer = SQLiteArchiveWriter(database: database)
            _ = try await writer.append(archiveMessage("lobby", 3, body: "vu once more"))
            await writer.close()
            let again = archiveQuery("lobby") { $0.text = TextFilter("vu") }
            #expect(try await database.archive.query(again).ids == ["lobby-0", "lobby-2", "lobby-3"])
            #expect(try await database.archive.remove(room: "lobby", authors: [], from: nil, to: nil,
                                                     text: TextFilter("again"), replacement: nil) == 1)
            #expect(try await database.archive.query(again).ids == ["lobby-0", "lobby-3"])
        }
    }
}
