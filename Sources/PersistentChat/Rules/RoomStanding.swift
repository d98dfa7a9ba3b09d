/// What an occupant is in a room, in the model's words (design §8); the MUC service maps them
/// to XEP-0045 roles and affiliations.
public enum OccupantRole: Sendable, Equatable {
    /// Posts and administers the room.
    case moderator
    /// Posts.
    case participant
    /// Listens.
    case visitor
}

/// How the room's lists name a user: manager, member, kept out (the room's Banned list or the
/// category's DeniedMembers), or none of these.
public enum RoomAffiliation: Sendable, Equatable {
    case manager, member, outcast, none
}

extension RoomAccess {
    /// The role this access gives in `room`: in an auditorium presenters speak (a presenting
    /// manager moderates) and everyone else listens; in a Normal room whoever may post speaks,
    /// managers moderate, and a `silenced` (muted) occupant listens.
    public func role(in room: Room, silenced: Bool = false) -> OccupantRole {
        switch room.type {
        case .auditorium:
            guard isPresenter else { return .visitor }
            return isManager ? .moderator : .participant
        case .normal:
            guard canPost, !silenced else { return .visitor }
            return isManager ? .moderator : .participant
        }
    }
}

extension ChatDirectory {
    /// The user's affiliation with `room`, given their `access` to it.
    public func affiliation(of user: String, access: RoomAccess, in room: Room) -> RoomAffiliation {
        if access.isManager { return .manager }
        if access.isMember { return .member }
        return isOutcast(user, of: room) ? .outcast : .none
    }

    /// Kept out of the room: by its Banned list or by its category's DeniedMembers.
    public func isOutcast(_ user: String, of room: Room) -> Bool {
        if isBanned(user, from: room) { return true }
        guard let category = category(named: room.category) else { return false }
        return covers(category.denied, user: user)
    }
}
