/// The rules a room must satisfy when it is stored (design §3).
extension ChatDirectory {
    /// `room` in canonical form, or the first rule it breaks. `previous` is the stored version
    /// (nil on creation): only principals added since then must pass the scope and presenter
    /// tests, so roles that fell out of scope are stripped (by `strippingInvalidRoles`) rather than refused.
    func validated(_ proposed: Room, previous: Room?) throws(ChatRuleError) -> Room {
        var room = proposed
        if let previous {
            guard room.localpart == previous.localpart else {
                throw ChatRuleError(.invalid, "A room's localpart never changes (\(previous.localpart)).")
            }
            guard room.createdBy == previous.createdBy else {
                throw ChatRuleError(.invalid, "A room's creator never changes (\(previous.localpart)).")
            }
        } else {
            try TextRules.checkLocalpart(room.localpart)
            guard rooms[room.localpart] == nil else {
                throw ChatRuleError(.conflict, "A room with localpart \(room.localpart) already exists.")
            }
            if let creator = room.createdBy { room.createdBy = try Self.canonicalUser(creator) }
        }
        try TextRules.checkName(room.name, of: "room", maxCharacters: ChatLimits.maxNameCharacters)
        try checkNameIsFree(room.name, exceptRoom: room.localpart, exceptCategoryKey: nil)
        try TextRules.checkText(room.description, of: "room description", maxCharacters: ChatLimits.maxDescriptionCharacters)
        try TextRules.checkText(room.subject, of: "room subject", maxCharacters: ChatLimits.maxSubjectCharacters)
        if let author = room.subjectAuthor {
            try TextRules.checkText(author, of: "subject author", maxCharacters: ChatLimits.maxNameCharacters)
        }

        guard let category = category(named: room.category) else { throw Self.categoryNotFound(room.category) }
        room.category = category.name
        if let addIn = room.addIn, addIn.isEmpty { room.addIn = nil }
        if let addIn = room.addIn {
            guard let key = addInKey(named: addIn), let registered = addIns[key] else {
                throw ChatRuleError(.notFound, "Add-in \(addIn.prefix(80)) is not registered.")
            }
            room.addIn = registered.name
        }

        room.members = try Self.normalized(room.members, list: "member")
        room.managers = try Self.normalized(room.managers, list: "manager")
        room.presenters = try Self.normalized(room.presenters, list: "presenter")
        room.banned = try Self.normalized(room.banned, list: "banned")
        let addedMembers = room.members.added(since: previous?.members)
        let addedManagers = room.managers.added(since: previous?.managers)
        let addedPresenters = room.presenters.added(since: previous?.presenters)
        // Bans need not lie in scope: anyone may be kept out.
        try checkGroupsExist(addedMembers + addedManagers + addedPresenters + room.banned.added(since: previous?.banned))

        if room.privacy == .open, !addedMembers.isEmpty {
            throw ChatRuleError(.invalid, "Open rooms have no member list: \(room.name) cannot have members.")
        }
        if room.type == .normal, !addedPresenters.isEmpty {
            throw ChatRuleError(.invalid, "Only Auditorium rooms have presenters: \(room.name) is a Normal room.")
        }
        for principal in addedMembers + addedManagers + addedPresenters where !isInScope(principal, of: category) {
            throw ChatRuleError(.outOfScope, Self.outOfScopeMessage(principal, category: category))
        }
        if room.privacy != .open {
            for presenter in addedPresenters where !Self.isListed(presenter, in: room.members, directory: self) {
                throw ChatRuleError(.invalid, "Presenter \(presenter) must also be a member of \(room.name).")
            }
        }
        return room
    }

    /// Removes every role of `room` that is no longer valid: out of its category's scope,
    /// members of an Open room, presenters of a Normal room, and presenters of a Closed or
    /// Secret room who are no longer members. Returns what was removed.
    func strippingInvalidRoles(of room: inout Room) -> [StrippedRole] {
        guard let category = category(named: room.category) else { return [] }
        var stripped: [StrippedRole] = []
        func keep(_ role: RoomRole, _ principals: [Principal], _ isValid: (Principal) -> Bool) -> [Principal] {
            principals.filter { principal in
                let valid = isValid(principal)
                if !valid { stripped.append(StrippedRole(role: role, principal: principal)) }
                return valid
            }
        }
        let (privacy, type) = (room.privacy, room.type)
        room.members = keep(.member, room.members) { privacy != .open && isInScope($0, of: category) }
        room.managers = keep(.manager, room.managers) { isInScope($0, of: category) }
        let members = room.members
        room.presenters = keep(.presenter, room.presenters) { presenter in
            type == .auditorium && isInScope(presenter, of: category)
                && (privacy == .open || Self.isListed(presenter, in: members, directory: self))
        }
        return stripped
    }

    /// True when `principal` is on `list`, or is a user covered by it (a presenter's membership test).
    static func isListed(_ principal: Principal, in list: [Principal], directory: ChatDirectory) -> Bool {
        if list.contains(principal) { return true }
        guard case .user(let user) = principal else { return false }
        return directory.covers(list, user: user)
    }

    /// Throws `conflict` when a category or another room already has this name (case-insensitively).
    func checkNameIsFree(_ name: String, exceptRoom localpart: String?, exceptCategoryKey: String?) throws(ChatRuleError) {
        let key = name.lowercased()
        if let room = rooms.values.first(where: { $0.localpart != localpart && $0.name.lowercased() == key }) {
            throw ChatRuleError(.conflict, "The name \(name) is taken by room \(room.localpart).")
        }
        if categories.contains(where: { $0.key != exceptCategoryKey && $0.value.name.lowercased() == key }) {
            throw ChatRuleError(.conflict, "The name \(name) is taken by a category.")
        }
    }
}
