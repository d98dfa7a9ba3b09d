import GRDB
import PersistentChat

extension SQLiteChatStore {
    @discardableResult
    func bumpRevision(contentOf room: String) async throws -> Int64 {
        try InputLimits.checkRoomLocalpart(room)
        return try await access.write { db in
            let revision = try ChatDirectoryWriter.bumpRevision(db)
            try db.execute(sql: """
                INSERT INTO chat_content_revisions (room, revision) VALUES (?, ?)
                ON CONFLICT (room) DO UPDATE SET revision = excluded.revision
                """, arguments: [room, revision])
            return revision
        }
    }

    func loadChanges(since: Int64) async throws -> (directory: ChatDirectory, revision: Int64, contentChanged: Set<String>) {
        try await access.read { db in
            let rooms = try String.fetchAll(db, sql: "SELECT room FROM chat_content_revisions WHERE revision > ?", arguments: [since])
            return (try ChatDirectoryReader.load(db), try ChatDirectoryReader.revision(db), Set(rooms))
        }
    }
}
