/// Room bans (design §3 "Banned"): managers keep principals out of their room. A ban works like
/// the category's DeniedMembers: it wins over every list that names the user, however specific.
extension ChatDirectory {
    /// True when the room's Banned list covers the user (by JID, group or domain).
    public func isBanned(_ user: String, from room: Room) -> Bool {
        covers(room.banned, user: user)
    }

    /// The room's outcasts as XEP-0045 shows them: the category's DeniedMembers, then the
    /// room's own Banned list (each principal once).
    public func outcasts(of room: Room) -> [Principal] {
        let denied = category(named: room.category)?.denied ?? []
        return denied + room.banned.filter { !denied.contains($0) }
    }
}

extension ChatDirectory {
    /// A manager may not ban themselves (XEP-0045 §9.1): they would lock themselves out of the
    /// room they administer. Only newly added bans are checked.
    func checkBans(of proposed: Room, previous: Room, setBy manager: String) throws(ChatRuleError) {
        let added = proposed.banned.filter { !previous.banned.contains($0) }
        guard !added.isEmpty, covers(added, user: manager) else { return }
        throw ChatRuleError(.forbidden, "\(manager) may not ban themselves from room \(previous.name).")
    }
}
