/// Room content as a whole (design §3): clearing a room, removing or replacing messages by
/// author, date or keyword. Single messages are moderated under `ModerationRules.swift`.
extension ChatDirectory {
    /// Administrators only.
    public func mayEditContent(_ user: String) -> Bool {
        isAdministrator(user)
    }
}
