/// Cross-room search (design §8): a user searches the content they may read.
extension ChatDirectory {
    /// Search needs persistent chat enabled for the user.
    public func maySearch(_ user: String) -> Bool {
        isEnabled(user: user)
    }

    /// Refuses a user who may not search, saying why.
    public func checkMaySearch(_ user: String) throws(ChatRuleError) {
        guard maySearch(user) else { throw ChatRuleError(.forbidden, "Persistent chat is not enabled for you.") }
    }

    /// The rooms a search by `user` covers, by localpart: those they may read whose category
    /// keeps history.
    public func searchableRooms(for user: String) -> [String] {
        rooms.values.filter { room in
            keepsHistory(room) && access(of: user, to: room).canRead
        }.map(\.localpart).sorted()
    }
}
