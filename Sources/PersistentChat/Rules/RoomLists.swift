/// The room's lists as muc#admin shows and edits them (design §3): managers, members and
/// outcasts. There are no room administrators, and the moderator role is not given by hand:
/// it is being a manager.
extension ChatDirectory {
    /// The principals on one list of the room, for a user with `access`: members to whoever may
    /// see the member list (and managers); managers also to members; outcasts to managers only.
    public func principals(with affiliation: RoomAffiliation, in room: Room, seenBy access: RoomAccess) throws(ChatRuleError) -> [Principal] {
        switch affiliation {
        case .member:
            guard access.canSeeMembers || access.canManage else {
                throw ChatRuleError(.forbidden, "You may not see this room's members.")
            }
            return room.members
        case .manager:
            guard access.canSeeMembers || access.canManage || access.isMember else {
                throw ChatRuleError(.forbidden, "You may not see this room's managers.")
            }
            return room.managers
        case .outcast:
            guard access.canManage else { throw ChatRuleError(.forbidden, "Only the room's managers see its outcasts.") }
            return outcasts(of: room)
        case .none:
            throw ChatRuleError(.invalid, "Nobody is listed as having no affiliation.")
        }
    }

    /// Gives each principal its new affiliation in the room, as one change checked by
    /// `updateRoom` (managers, bans, scope). A principal holds one affiliation: a new one
    /// replaces the previous; `.none` takes it off every list.
    public mutating func setAffiliations(_ changes: [(principal: Principal, affiliation: RoomAffiliation)], in localpart: String,
                                         by actor: ChatActor) throws(ChatRuleError) -> RoleStripping {
        try updateRoom(localpart, by: actor) { room in
            for (principal, affiliation) in changes {
                room.members.removeAll { $0 == principal }
                room.managers.removeAll { $0 == principal }
                room.banned.removeAll { $0 == principal }
                switch affiliation {
                case .member: room.members.append(principal)
                case .manager: room.managers.append(principal)
                case .outcast: room.banned.append(principal)
                case .none: break
                }
            }
        }
    }

    /// Room administrators do not exist: the room's managers administer it.
    public static let noRoomAdministrators = ChatRuleError(.unavailable, "There are no room admins: make them owners (managers).")
    /// The moderator role is not given by hand: managers moderate.
    public static let moderatorsAreManagers = ChatRuleError(.unavailable, "Moderators are the room's managers: make them owners.")
}

extension RoomAccess {
    /// Changing the room's lists, roles and voices, and kicking (any occupant, managers too):
    /// the room's managers and administrators.
    public func checkMayChangeLists() throws(ChatRuleError) {
        guard canManage else { throw ChatRuleError(.forbidden, "Only the room's managers change its lists.") }
    }
}
