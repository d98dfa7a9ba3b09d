/// The decisions of design §3: what one user may do with one room.
extension ChatDirectory {
    /// Everything `user` may do with `room`. "Anyone" is a user in the category's scope whose
    /// policy is enabled; managers and administrators get no implicit find/join/read/post.
    public func access(of user: String, to room: Room) -> RoomAccess {
        let isAdministrator = isAdministrator(user)
        let inScope = (category(named: room.category).map { isInScope(user: user, of: $0) } ?? false) && !isBanned(user, from: room)
        let isMember = inScope && covers(room.members, user: user)
        let isManager = inScope && covers(room.managers, user: user)
        let isPresenter = inScope && room.type == .auditorium && covers(room.presenters, user: user)
            && (isMember || room.privacy == .open)

        var access = RoomAccess(canManage: isManager || isAdministrator, canDelete: isAdministrator,
                                isMember: isMember, isManager: isManager, isPresenter: isPresenter)
        // A disabled room, or a user without persistent chat, gets nothing but administration.
        guard isEnabled(user: user), !room.disabled else { return access }

        switch room.privacy {
        case .open:
            access.canFind = inScope
            access.canSeeDetails = inScope
            access.canSeeMembers = false
            access.canJoin = inScope
        case .closed:
            access.canFind = inScope
            access.canSeeDetails = inScope
            access.canSeeMembers = inScope
            access.canJoin = isMember
        case .secret:
            access.canFind = isMember
            access.canSeeDetails = isMember
            access.canSeeMembers = isMember
            access.canJoin = isMember
        }
        access.canRead = access.canJoin
        access.canPost = switch room.type {
        case .normal: access.canJoin
        case .auditorium: access.canJoin && isPresenter
        }
        return access
    }

    /// The rooms the user may find, sorted by name (case-insensitively, then by localpart).
    public func visibleRooms(for user: String) -> [Room] {
        rooms.values
            .filter { access(of: user, to: $0).canFind }
            .sorted { lhs, rhs in
                let (left, right) = (lhs.name.lowercased(), rhs.name.lowercased())
                return left != right ? left < right : lhs.localpart < rhs.localpart
            }
    }

    /// Whether the actor may create a room in the category: the system and administrators always;
    /// a user who is a Creator there (covered by creators and in scope) with persistent chat enabled.
    public func mayCreateRoom(_ actor: ChatActor, in category: Category) -> Bool {
        switch actor {
        case .system: true
        case .user(let user):
            isAdministrator(user) || (isEnabled(user: user) && isCreator(user, of: category))
        }
    }

    /// Users covered by the room's member list and in scope, among `knownUsers` (domain principals need them).
    /// Users named by user and group principals are always considered; policy is not applied.
    public func memberUsers(of room: Room, knownUsers: [String]) -> Set<String> {
        guard let category = category(named: room.category) else { return [] }
        var candidates = Set(knownUsers)
        for principal in room.members {
            switch principal {
            case .user(let jid): candidates.insert(jid)
            case .group(let name): candidates.formUnion(members(ofGroup: name))
            case .domain: break
            }
        }
        return candidates.filter { covers(room.members, user: $0) && isInScope(user: $0, of: category) }
    }

    /// True when the user is covered by the category's creators and in its scope.
    func isCreator(_ user: String, of category: Category) -> Bool {
        covers(category.creators, user: user) && isInScope(user: user, of: category)
    }

    /// True when the user is covered by the room's managers and in its category's scope.
    func isManager(_ user: String, of room: Room) -> Bool {
        guard let category = category(named: room.category) else { return false }
        return covers(room.managers, user: user) && isInScope(user: user, of: category) && !isBanned(user, from: room)
    }
}
