import PostgresNIO

/// Invitations, joins and room vCards on PostgreSQL. A write first takes a key-share lock on
/// its room's row, so a room deleted by another node at the same moment is either still there
/// for the whole write or reported as roomNotFound, never a foreign-key failure.
extension PostgresChatStore {
    func addInvitation(user: String, room: String) async throws {
        try ChatStoreArguments.check(user: user, "invited user", room: room)
        try await access.transaction { transaction in
            try await Self.requireRoom(room, transaction)
            try await transaction.query("""
                INSERT INTO chat_invitations ("user", room) VALUES (\(user), \(room)) ON CONFLICT DO NOTHING
                """)
        }
    }

    func pendingInvitations(user: String) async throws -> [String] {
        guard PostgresText.isStorable(user) else { return [] }
        return try await access.query("""
            SELECT room FROM chat_invitations WHERE "user" = \(user) ORDER BY room
            """).map { try $0.decode(String.self) }
    }

    func hasJoined(user: String, room: String) async throws -> Bool {
        guard PostgresText.isStorable(user), PostgresText.isStorable(room) else { return false }
        return try await !access.query("""
            SELECT 1 FROM chat_joins WHERE "user" = \(user) AND room = \(room)
            """).isEmpty
    }

    func joinedRooms(user: String) async throws -> Set<String> {
        guard PostgresText.isStorable(user) else { return [] }
        return Set(try await access.query("""
            SELECT room FROM chat_joins WHERE "user" = \(user)
            """).map { try $0.decode(String.self) })
    }

    @discardableResult
    func recordJoin(user: String, room: String) async throws -> Bool {
        try ChatStoreArguments.check(user: user, "joining user", room: room)
        return try await access.transaction { transaction in
            try await Self.requireRoom(room, transaction)
            try await transaction.query("""
                INSERT INTO chat_joins ("user", room) VALUES (\(user), \(room)) ON CONFLICT DO NOTHING
                """)
            return try await !transaction.query("""
                DELETE FROM chat_invitations WHERE "user" = \(user) AND room = \(room) RETURNING room
                """).isEmpty
        }
    }

    func roomVCard(room: String) async throws -> VCardStore.Entry? {
        guard PostgresText.isStorable(room) else { return nil }
        return try await access.query("SELECT xml, photo_hash FROM chat_room_vcards WHERE room = \(room)").first.map { row in
            let (xml, photoHash) = try row.decode((String, String?).self)
            return VCardStore.Entry(xml: xml, photoHash: photoHash)
        }
    }

    func setRoomVCard(room: String, _ entry: VCardStore.Entry?) async throws {
        try ChatStoreArguments.check(entry)
        try await access.transaction { transaction in
            try await Self.requireRoom(room, transaction)
            guard let entry else {
                try await transaction.query("DELETE FROM chat_room_vcards WHERE room = \(room)")
                return
            }
            try await transaction.query("""
                INSERT INTO chat_room_vcards (room, xml, photo_hash) VALUES (\(room), \(entry.xml), \(entry.photoHash))
                ON CONFLICT (room) DO UPDATE SET xml = excluded.xml, photo_hash = excluded.photo_hash
                """)
        }
    }

    /// Throws roomNotFound unless the stored directory has the room; holds it until the
    /// transaction ends (a deletion waits, rows referring to it may be added).
    private static func requireRoom(_ localpart: String, _ transaction: PostgresAccess.Transaction) async throws {
        guard PostgresText.isStorable(localpart),
              try await !transaction.query("SELECT 1 FROM chat_rooms WHERE localpart = \(localpart) FOR KEY SHARE").isEmpty else {
            throw StoreError(.roomNotFound, "no room \(localpart)")
        }
    }
}
