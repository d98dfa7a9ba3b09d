/// Questions about the directory that are not access decisions: finding categories, rooms and
/// add-ins by name, administrators, the enable policy, effective invitations.
extension ChatDirectory {
    /// True when persistent chat is enabled for the user: their override, else the global policy.
    public func isEnabled(user: String) -> Bool {
        policy.overrides[user] ?? policy.globalEnabled
    }

    /// True when the user is a persistent-chat administrator (server administrators are too).
    public func isAdministrator(_ user: String) -> Bool {
        administrators.contains(user) || serverAdministrators.contains(user)
    }

    /// True when the user is a server administrator.
    public func isServerAdministrator(_ user: String) -> Bool {
        serverAdministrators.contains(user)
    }

    /// The role a user holds, if any.
    public func administratorRole(of user: String) -> AdministratorRole? {
        serverAdministrators.contains(user) ? .server : administrators.contains(user) ? .chat : nil
    }

    /// The category with this name, compared case-insensitively.
    public func category(named name: String) -> Category? {
        let key = name.lowercased()
        if let category = categories[key] { return category }
        return categories.values.first { $0.name.lowercased() == key }
    }

    /// The room with this display name, compared case-insensitively.
    public func room(named name: String) -> Room? {
        let key = name.lowercased()
        return rooms.values.first { $0.name.lowercased() == key }
    }

    /// Whether the room sends invitations: its category switches them on and the room inherits.
    public func effectiveInvitations(of room: Room) -> Bool {
        room.invitations == .inherit && (category(named: room.category)?.invitations ?? false)
    }

    /// The dictionary key of the category with this name, compared case-insensitively.
    func categoryKey(named name: String) -> String? {
        let key = name.lowercased()
        if categories[key] != nil { return key }
        return categories.first { $0.value.name.lowercased() == key }?.key
    }

    /// The dictionary key of the add-in with this name, compared case-insensitively.
    func addInKey(named name: String) -> String? {
        let key = name.lowercased()
        if addIns[key] != nil { return key }
        return addIns.first { $0.value.name.lowercased() == key }?.key
    }
}
