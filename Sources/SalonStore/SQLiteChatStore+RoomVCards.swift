import GRDB

/// Room vCards on SQLite. A row goes with its room (foreign key, cascade), so every way of
/// removing a room removes it.
extension SQLiteChatStore {
    func roomVCard(room: String) async throws -> VCardStore.Entry? {
        try await access.lookUp { db in
            try Row.fetchOne(db, sql: "SELECT xml, photo_hash FROM chat_room_vcards WHERE room = ?", arguments: [room]).map { row in
                VCardStore.Entry(xml: try row.decode(String.self, forColumn: "xml"), photoHash: try row.decode(String?.self, forColumn: "photo_hash"))
            }
        }
    }

    func setRoomVCard(room: String, _ entry: VCardStore.Entry?) async throws {
        try ChatStoreArguments.check(entry)
        try await access.write { db in
            try db.requireChatRoom(room)
            guard let entry else {
                return try db.execute(sql: "DELETE FROM chat_room_vcards WHERE room = ?", arguments: [room])
            }
            try db.execute(sql: """
                INSERT INTO chat_room_vcards (room, xml, photo_hash) VALUES (?, ?, ?)
                ON CONFLICT (room) DO UPDATE SET xml = excluded.xml, photo_hash = excluded.photo_hash
                """, arguments: [room, entry.xml, entry.photoHash])
        }
    }
}

extension SalonSchema {
    /// Migration "v11-room-avatars".
    static func createRoomVCards(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE chat_room_vcards (
                room TEXT NOT NULL PRIMARY KEY REFERENCES chat_rooms(localpart) ON DELETE CASCADE,
                xml TEXT NOT NULL,
                photo_hash TEXT
            ) WITHOUT ROWID;
            """)
    }
}
