/// Voice (XEP-0045 §8.3–8.6) in persistent-chat terms. In an Auditorium, voice is being a
/// presenter, so granting and revoking it change the presenter list under the presenter rules.
/// In a Normal room everyone who may post has voice; managers may only mute an occupant for the
/// time they are in the room, and give the voice back.
public enum VoiceChange: Sendable, Equatable { case grant, revoke }

extension ChatDirectory {
    /// Whether `actor` may mute `target` in a Normal room, or give them their voice back.
    /// Managers are never muted (they administer the room); voice goes back only to a user
    /// whom the room lets post.
    public func checkMayChangeVoice(_ change: VoiceChange, of target: String, in room: Room, by actor: String) throws(ChatRuleError) {
        guard isAdministrator(actor) || isManager(actor, of: room) else {
            throw denial(of: actor, for: room, action: "change voices in")
        }
        switch change {
        case .revoke:
            if isManager(target, of: room) {
                throw ChatRuleError(.forbidden, "\(target) manages room \(room.name) and cannot be muted.")
            }
        case .grant:
            if !access(of: target, to: room).canPost {
                throw ChatRuleError(.invalid, "\(target) may not post in room \(room.name): only its members do.")
            }
        }
    }

    /// Makes `target` a presenter of the Auditorium room (grant) or no longer one (revoke).
    /// A new presenter must pass the presenter rules (in scope; a member unless the room is Open).
    /// A user who presents through a group or domain cannot be revoked one by one.
    public mutating func changePresenter(_ change: VoiceChange, of target: String, in localpart: String,
                                         by actor: ChatActor) throws(ChatRuleError) -> RoleStripping {
        let user = try Self.canonicalUser(target)
        let snapshot = self  // coverage is read from the directory as it was; the closure changes only the room
        return try updateRoom(localpart, by: actor) { (room: inout Room) throws(ChatRuleError) in
            guard room.type == .auditorium else {
                throw ChatRuleError(.invalid, "Only Auditorium rooms have presenters: \(room.name) is a Normal room.")
            }
            switch change {
            case .grant:
                if !snapshot.covers(room.presenters, user: user) { room.presenters.append(.user(user)) }
            case .revoke:
                room.presenters.removeAll { $0 == .user(user) }
                if let through = room.presenters.first(where: { snapshot.covers([$0], user: user) }) {
                    throw ChatRuleError(.invalid, "\(user) presents in \(room.name) as part of \(through); change the presenter list instead.")
                }
            }
        }
    }
}
