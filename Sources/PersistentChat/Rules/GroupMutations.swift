/// Server-side groups: administrators only. Group names are lowercased.
extension ChatDirectory {
    /// Creates an empty group.
    public mutating func createGroup(_ name: String, by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "create groups")
        let key = try Self.groupKey(name)
        guard groups[key] == nil else { throw ChatRuleError(.conflict, "Group \(key) already exists.") }
        groups[key] = []
    }

    /// Adds users (bare JIDs) to a group.
    public mutating func addToGroup(_ name: String, users: [String], by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "change groups")
        let key = try existingGroupKey(name)
        let jids = try Self.canonicalUsers(users)
        groups[key, default: []].formUnion(jids)
    }

    /// Removes users from a group; roles that fell out of scope with them are stripped and reported.
    public mutating func removeFromGroup(_ name: String, users: [String], by actor: ChatActor) throws(ChatRuleError) -> RoleStripping {
        try requireAdministrator(actor, to: "change groups")
        let key = try existingGroupKey(name)
        let jids = try Self.canonicalUsers(users)
        groups[key, default: []].subtract(jids)
        return stripInvalidRoles()
    }

    /// Removes a group and every mention of it (category lists, room roles); reports the room
    /// roles and creators that went, with it or because they fell out of scope.
    public mutating func removeGroup(_ name: String, by actor: ChatActor) throws(ChatRuleError) -> RoleStripping {
        try requireAdministrator(actor, to: "remove groups")
        let key = try existingGroupKey(name)
        let principal = Principal.group(key)
        groups[key] = nil

        var report = RoleStripping()
        for (key, var category) in categories {
            category.allowed.removeAll { $0 == principal }
            category.denied.removeAll { $0 == principal }
            if category.creators.contains(principal) {
                category.creators.removeAll { $0 == principal }
                report.record(creators: [principal], category: category.name)
            }
            categories[key] = category
        }
        for (localpart, var room) in rooms {
            var removed: [StrippedRole] = []
            for role in RoomRole.allCases where room[role].contains(principal) {
                room[role].removeAll { $0 == principal }
                removed.append(StrippedRole(role: role, principal: principal))
            }
            let wasBanned = room.banned.contains(principal)
            room.banned.removeAll { $0 == principal }
            guard !removed.isEmpty || wasBanned else { continue }
            rooms[localpart] = room
            report.record(removed, room: localpart)
        }
        report.merge(stripInvalidRoles())
        return report
    }

    /// The lowercased group name, or `invalid` when it cannot be written as `group:NAME`.
    static func groupKey(_ name: String) throws(ChatRuleError) -> String {
        let key = name.lowercased()
        guard case .group(key) = try? Principal("group:" + key) else {
            throw ChatRuleError(.invalid, "'\(name.prefix(300))' is not a valid group name.")
        }
        return key
    }

    /// The key of an existing group, or `notFound`.
    func existingGroupKey(_ name: String) throws(ChatRuleError) -> String {
        let key = try Self.groupKey(name)
        guard groups[key] != nil else { throw ChatRuleError(.notFound, "Group \(key) does not exist.") }
        return key
    }

    /// The users as lowercased bare JIDs, or `invalid` for the first malformed one.
    static func canonicalUsers(_ users: [String]) throws(ChatRuleError) -> [String] {
        guard users.count <= ChatLimits.maxPrincipalsPerList else {
            throw ChatRuleError(.invalid, "At most \(ChatLimits.maxPrincipalsPerList) users at a time.")
        }
        var jids: [String] = []
        for user in users { jids.append(try canonicalUser(user)) }
        return jids
    }
}

extension Room {
    /// The principal list of one role.
    subscript(role: RoomRole) -> [Principal] {
        get {
            switch role {
            case .member: members
            case .manager: managers
            case .presenter: presenters
            }
        }
        set {
            switch role {
            case .member: members = newValue
            case .manager: managers = newValue
            case .presenter: presenters = newValue
            }
        }
    }
}
