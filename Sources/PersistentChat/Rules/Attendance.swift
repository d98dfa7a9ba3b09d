/// Entering a room, seeing who is in it, and being made to leave it (design §3, §8).
public enum Departure: Sendable, Equatable {
    /// The room's Banned list now covers the occupant.
    case banned
    /// The occupant may no longer join (out of scope, no longer a member, policy off).
    case lostAccess

    /// What the occupant is told.
    public var reason: String {
        switch self {
        case .banned: "You were banned from this room."
        case .lostAccess: "You no longer have access to this room."
        }
    }
}

extension ChatDirectory {
    /// Why a user with `access` (which does not let them join) is kept out: a ban is no secret
    /// to the banned, except in a Secret room, whose existence is; a room they may not see does
    /// not exist for them; else the room admits members only.
    public func joinRefusal(of user: String, to room: Room, access: RoomAccess) -> ChatRuleError {
        if isBanned(user, from: room), room.privacy != .secret {
            return ChatRuleError(.forbidden, "You are banned from this room.")
        }
        guard access.canSeeDetails else { return ChatRuleError(.notFound, "There is no such room.") }
        return ChatRuleError(.membersOnly, "Only members may enter this room.")
    }

    /// Whether an occupant must leave after a change of the directory, and why (nil: stays).
    public func departure(of user: String, from room: Room, access: RoomAccess) -> Departure? {
        if isBanned(user, from: room) { return .banned }
        return access.canJoin ? nil : .lostAccess
    }
}

extension RoomAccess {
    /// Who is in the room (its occupants): shown to whoever may join it, and to its occupants.
    public func maySeeOccupants(asOccupant: Bool) -> Bool {
        canJoin || asOccupant
    }
}
