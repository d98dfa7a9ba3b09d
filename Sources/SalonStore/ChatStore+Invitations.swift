import GRDB

extension ChatStore {
    /// Records a pending XEP-0249 invitation of `user` to `room`, kept until the user joins it;
    /// idempotent. Throws roomNotFound unless the room is in the stored directory.
    public func addInvitation(user: String, room: String) async throws {
        try InputLimits.checkBareJID(user, "invited user")
        try InputLimits.checkRoomLocalpart(room)
        try await access.write { db in
            try db.requireChatRoom(room)
            try db.execute(sql: "INSERT OR IGNORE INTO chat_invitations (user, room) VALUES (?, ?)",
                           arguments: [user, room])
        }
    }

    /// The rooms (localparts) `user` is invited to and has not joined since, sorted.
    public func pendingInvitations(user: String) async throws -> [String] {
        try await access.read { db in
            try String.fetchAll(db, sql: "SELECT room FROM chat_invitations WHERE user = ? ORDER BY room",
                                arguments: [user])
        }
    }

    /// Whether `user` has joined `room` at least once (since the room was created).
    public func hasJoined(user: String, room: String) async throws -> Bool {
        try await access.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM chat_joins WHERE user = ? AND room = ?)",
                              arguments: [user, room]) ?? false
        }
    }

    /// The rooms (localparts) `user` has joined at least once.
    public func joinedRooms(user: String) async throws -> Set<String> {
        try await access.read { db in
            Set(try String.fetchAll(db, sql: "SELECT room FROM chat_joins WHERE user = ?", arguments: [user]))
        }
    }

    /// Remembers that `user` joined `room`, and clears the pending invitation to it; returns
    /// whether there was one (the join accepted an invitation).
    /// Throws roomNotFound unless the room is in the stored directory.
    @discardableResult
    public func recordJoin(user: String, room: String) async throws -> Bool {
        try InputLimits.checkBareJID(user, "joining user")
        try InputLimits.checkRoomLocalpart(room)
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
