/// How many rooms one user may create (the MaxRoomsPerCreator setting): each creation is
/// stored and loaded for good, so a Creator must not be able to fill the directory alone.
/// Administrators are exempt, and so is the system (the CLI).
extension ChatDirectory {
    /// The rooms recorded as created by `user` (a bare JID).
    public func roomsCreated(by user: String) -> Int {
        rooms.values.count { $0.createdBy == user }
    }

    /// Throws limitReached when `actor` already created as many rooms as MaxRoomsPerCreator allows.
    public func checkRoomQuota(of actor: ChatActor) throws(ChatRuleError) {
        guard case .user(let user) = actor, !isAdministrator(user) else { return }
        let limit = settings.maxRoomsPerCreator
        guard limit > 0 else { return }
        // Counted under the form createRoom records.
        let created = roomsCreated(by: (try? Self.canonicalUser(user)) ?? user)
        if created >= limit {
            throw ChatRuleError(.limitReached, "\(user) has created \(created) rooms, the most MaxRoomsPerCreator (\(limit)) allows: an administrator may remove one or raise the limit.")
        }
    }
}
