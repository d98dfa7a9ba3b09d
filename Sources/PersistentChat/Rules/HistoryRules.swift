/// Chat history is the category's setting (design §2): where it is on, posts are archived,
/// joiners get recent history, and MAM and search read the archive; where it is off, none of it.
extension ChatDirectory {
    /// Whether rooms of `category` keep history (a room with no category yet keeps it).
    public static func keepsHistory(in category: Category?) -> Bool {
        category?.chatHistory ?? true
    }

    /// Refuses reading the archive (MAM) of a room in `category` when the category keeps no history.
    public static func checkArchiveReadable(in category: Category?) throws(ChatRuleError) {
        guard keepsHistory(in: category) else { throw ChatRuleError(.switchedOff, "This room's category keeps no history.") }
    }

    /// Whether `room` keeps history.
    public func keepsHistory(_ room: Room) -> Bool {
        Self.keepsHistory(in: category(named: room.category))
    }
}
