import GRDB

extension ArchiveStore {
    /// Removes a room's messages (room deletion), revoking its files, archived or not (a
    /// trigger revokes those of archived messages). Its sequence numbers are not reused.
    /// (Moved here from the chat store, which keeps the directory: messages are the archive's.)
    public func deleteMessages(room: String) async throws {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM room_messages WHERE room = ?", arguments: [room])
            try FileStore.revokeRoom(room, db)
        }
    }
}
