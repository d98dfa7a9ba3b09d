/// Creating, changing and deleting rooms (design §3, "Managers administer the room").
extension ChatDirectory {
    /// Validates and adds a room; a user actor must be a Creator (or administrator) and becomes a
    /// manager and, in a Closed or Secret room, a member, so that they keep the room (design §3).
    /// The creator is appended as `.user(jid)` unless the lists already cover them, and only
    /// when they are in the category's scope (an administrator outside it manages anyway).
    public mutating func createRoom(_ room: Room, by actor: ChatActor) throws(ChatRuleError) -> Room {
        guard let category = category(named: room.category) else { throw Self.categoryNotFound(room.category) }
        guard mayCreateRoom(actor, in: category) else {
            throw ChatRuleError(.forbidden, "Only Creators of category \(category.name) and administrators may create rooms in it.")
        }
        try checkRoomQuota(of: actor)
        var proposed = room
        if case .user(let user) = actor { proposed.createdBy = user }
        if case .user(let user) = actor, isInScope(user: user, of: category) {
            if !covers(proposed.managers, user: user) { proposed.managers.append(.user(user)) }
            if proposed.privacy != .open, !covers(proposed.members, user: user) { proposed.members.append(.user(user)) }
        }
        let created = try validated(proposed, previous: nil)
        rooms[created.localpart] = created
        return created
    }

    /// Changes a room. Administrators may change everything; a manager everything except
    /// re-enabling it, and moving it only to a category where they are a Creator.
    /// Reports the roles stripped because they stopped being valid (a move, a privacy or type change).
    public mutating func updateRoom(_ localpart: String, by actor: ChatActor,
                                    _ change: (inout Room) throws(ChatRuleError) -> Void) throws(ChatRuleError) -> RoleStripping {
        guard let previous = rooms[localpart] else { throw Self.roomNotFound(localpart) }
        let managerUser: String?  // the user acting as a mere manager, nil for administrators
        switch actor {
        case .system: managerUser = nil
        case .user(let user) where isAdministrator(user): managerUser = nil
        case .user(let user):
            guard isManager(user, of: previous) else { throw denial(of: user, for: previous, action: "manage") }
            managerUser = user
        }

        var proposed = previous
        try change(&proposed)
        if let user = managerUser {
            if previous.disabled, !proposed.disabled {
                throw ChatRuleError(.forbidden, "Only administrators may re-enable room \(previous.name).")
            }
            if categoryKey(named: proposed.category) != categoryKey(named: previous.category) {
                guard let target = category(named: proposed.category) else { throw Self.categoryNotFound(proposed.category) }
                guard isCreator(user, of: target) else {
                    throw ChatRuleError(.forbidden, "\(user) may move room \(previous.name) only to a category where they are a Creator, not \(target.name).")
                }
            }
            try checkBans(of: proposed, previous: previous, setBy: user)
        }
        var room = try validated(proposed, previous: previous)
        var report = RoleStripping()
        report.record(strippingInvalidRoles(of: &room), room: localpart)
        rooms[localpart] = room
        return report
    }

    /// Deletes a room and its roles: administrators only.
    public mutating func removeRoom(_ localpart: String, by actor: ChatActor) throws(ChatRuleError) {
        guard let room = rooms[localpart] else { throw Self.roomNotFound(localpart) }
        if case .user(let user) = actor, !isAdministrator(user) {
            throw denial(of: user, for: room, action: "delete")
        }
        rooms[localpart] = nil
    }
}
