import GRDB

extension SQLiteChatStore {
    func addInvitation(user: String, room: String) async throws {
        try ChatStoreArguments.check(user: user, "invited user", room: room)
        try await access.write { db in
            try db.requireChatRoom(room)
            try db.execute(sql: "INSERT OR IGNORE INTO chat_invitations (user, room) VALUES (?, ?)",
                           arguments: [user, room])
        }
    }

    func pendingInvitations(user: String) async throws -> [String] {
        try await access.read { db in
            try String.fetchAll(db, sql: "SELECT room FROM chat_invitations WHERE user = ? ORDER BY room",
                                arguments: [user])
        }
    }

    func hasJoined(user: String, room: String) async throws -> Bool {
        try await access.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM chat_joins WHERE user = ? AND room = ?)",
                              arguments: [user, room]) ?? false
        }
    }

    func joinedRooms(user: String) async throws -> Set<String> {
        try await access.read { db in
            Set(try String.fetchAll(db, sql: "SELECT room FROM chat_joins WHERE user = ?", arguments: [user]))
        }
    }

    @discardableResult
    func recordJoin(user: String, room: String) async throws -> Bool {
        try ChatStoreArguments.check(user: user, "joining user", room: room)
        return try await access.write { db in
            try db.requireChatRoom(room)
            try db.execute(sql: "INSERT OR IGNORE INTO chat_joins (user, room) VALUES (?, ?)", arguments: [user, room])
            try db.execute(sql: "DELETE FROM chat_invitations WHERE user = ? AND room = ?", arguments: [user, room])
            return db.changesCount > 0
        }
    }
}

extension Database {
    /// Throws roomNotFound unless the stored directory has a room with `localpart`;
    /// reported instead of a foreign-key failure.
    func requireChatRoom(_ localpart: String) throws {
        let exists = try Bool.fetchOne(self, sql: "SELECT EXISTS(SELECT 1 FROM chat_rooms WHERE localpart = ?)",
                                       arguments: [localpart]) ?? false
        guard exists else {
            throw StoreError(.roomNotFound, "no room \(localpart)")
        }
    }
}
