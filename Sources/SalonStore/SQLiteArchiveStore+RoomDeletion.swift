import GRDB

extension SQLiteArchiveStore {
    /// Room deletion: the messages go, and the room's files, archived or not, are revoked (a
    /// trigger revokes those of archived messages).
    func deleteMessages(room: String) async throws {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM room_messages WHERE room = ?", arguments: [room])
            try SQLiteFileStore.revokeRoom(room, db)
        }
    }
}
