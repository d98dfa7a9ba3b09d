/// Who may remove a single message from a room (design §3, XEP-0425 moderation).
extension ChatDirectory {
    /// Administrators moderate everywhere, managers in the rooms they manage. Anyone else is
    /// refused; a room they cannot see is reported as missing so its existence does not leak.
    public func checkMayModerate(_ user: String, in room: Room) throws(ChatRuleError) {
        guard isAdministrator(user) || isManager(user, of: room) else {
            throw denial(of: user, for: room, action: "moderate messages in")
        }
    }
}
