/// Who may create rooms at all, where a new room starts, and what its address may be
/// (design §3). The per-category rule is `mayCreateRoom(_:in:)` (Access.swift).
extension ChatDirectory {
    /// The categories the user may create rooms in, by name.
    public func categoriesForNewRooms(by user: String) -> [String] {
        categories.values.filter { mayCreateRoom(.user(user), in: $0) }.map(\.name).sorted()
    }

    /// Whether the user creates rooms at all: administrators (even before any category exists,
    /// the first room following the first category), Creators in scope with persistent chat on.
    public func mayCreateRooms(_ user: String) -> Bool {
        isAdministrator(user) || !categoriesForNewRooms(by: user).isEmpty
    }

    /// Refuses a user who may create no room now, as creating by join does (it needs a category
    /// to create in): one without persistent chat is not told the room could exist (`notFound`),
    /// one who has no category for a new room is told so.
    public func checkMayCreateRooms(_ user: String) throws(ChatRuleError) {
        guard isEnabled(user: user) else { throw ChatRuleError(.notFound, "There is no such room.") }
        guard !categoriesForNewRooms(by: user).isEmpty else {
            throw ChatRuleError(.unavailable, "You may not create rooms: you are not a Creator in any category.")
        }
    }

    /// The category a room created by `user` starts in: the only one they may create rooms in
    /// and stay in (in scope), else none ("") and the creator must choose.
    public func startingCategory(forRoomBy user: String) -> String {
        let candidates = categories.values.filter { mayCreateRoom(.user(user), in: $0) && isInScope(user: user, of: $0) }
        return candidates.count == 1 ? candidates[0].name : ""
    }

    /// A room address (JID localpart): 1 to 64 of a-z, 0-9, '.', '_', '-'.
    public static func checkRoomLocalpart(_ localpart: String) throws(ChatRuleError) {
        try TextRules.checkLocalpart(localpart)
    }
}
