/// Mediated invitations (XEP-0045 §7.8.2) in persistent-chat terms (design §2–3).
extension ChatDirectory {
    /// Where invitations are on, a room's members and managers (and administrators) invite;
    /// in an Open room, which has no member list, anyone who may join it does.
    public func checkMayInvite(_ user: String, to room: Room) throws(ChatRuleError) {
        guard effectiveInvitations(of: room) else {
            throw ChatRuleError(.switchedOff, "Invitations are off for room \(room.name).")
        }
        let access = access(of: user, to: room)
        guard access.isMember || access.canManage || (room.privacy == .open && access.canJoin) else {
            guard access.canSeeDetails else { throw Self.roomNotFound(room.localpart) }
            throw ChatRuleError(.forbidden, "Only members and managers of room \(room.name) invite.")
        }
    }

    /// Whether an invitation from `inviter` makes `invitee` a member (§7.8: an admin's invitation
    /// into a members-only room adds the invitee to the member list): only a manager's (or an
    /// administrator's), only into a Closed or Secret room, and only for someone not yet a member.
    public func invitationAddsMember(_ invitee: String, to room: Room, from inviter: String) -> Bool {
        room.privacy != .open && access(of: inviter, to: room).canManage && !covers(room.members, user: invitee)
    }

    /// Adds the invitee to the room's members; the scope rule decides (`outOfScope` with its text).
    public mutating func addInvitee(_ invitee: String, to localpart: String, by inviter: ChatActor) throws(ChatRuleError) {
        let user = try Self.canonicalUser(invitee)
        _ = try updateRoom(localpart, by: inviter) { room in room.members.append(.user(user)) }
    }
}
