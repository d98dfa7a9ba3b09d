/// Who may change what: administrators everything, managers their rooms.
extension ChatDirectory {
    /// True for the system and for persistent-chat administrators.
    func isAdministrator(_ actor: ChatActor) -> Bool {
        switch actor {
        case .system: true
        case .user(let user): isAdministrator(user)
        }
    }

    /// Throws `forbidden` unless the actor is the system or an administrator.
    func requireAdministrator(_ actor: ChatActor, to action: String) throws(ChatRuleError) {
        guard isAdministrator(actor) else {
            throw ChatRuleError(.forbidden, "Only persistent-chat administrators may \(action).")
        }
    }

    /// Throws `forbidden` unless the actor is the system or a server administrator.
    func requireServerAdministrator(_ actor: ChatActor, to action: String) throws(ChatRuleError) {
        if case .user(let user) = actor, !isServerAdministrator(user) {
            throw ChatRuleError(.forbidden, "Only server administrators may \(action).")
        }
    }

    /// The error for a user who may not act on `room`: `notFound` when the room is invisible
    /// to them (so a Secret room's existence does not leak), else `forbidden`.
    public func denial(of user: String, for room: Room, action: String) -> ChatRuleError {
        guard access(of: user, to: room).canSeeDetails else { return Self.roomNotFound(room.localpart) }
        return ChatRuleError(.forbidden, "\(user) may not \(action) room \(room.name).")
    }

    static func roomNotFound(_ localpart: String) -> ChatRuleError {
        ChatRuleError(.notFound, "Room \(localpart.prefix(80)) does not exist.")
    }

    public static func categoryNotFound(_ name: String) -> ChatRuleError {
        ChatRuleError(.notFound, "Category \(name.prefix(300)) does not exist.")
    }
}
