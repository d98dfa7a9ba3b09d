import PersistentChat

/// A change to a room, as any front end collects it; nil leaves a setting as it is. Who may
/// change what (managers their rooms, administrators everything) is PersistentChat's call.
public struct RoomEdit: Sendable {
    public var name: String?
    public var description: String?
    public var category: String?
    public var type: RoomType?
    public var privacy: RoomPrivacy?
    public var invitations: RoomInvitations?
    /// "" or "none" removes the add-in.
    public var addIn: String?
    public var disabled: Bool?
    public var members = PrincipalListEdit()
    public var managers = PrincipalListEdit()
    public var presenters = PrincipalListEdit()

    public init() {}

    public func apply(to room: inout Room) {
        if let name { room.name = name }
        if let description { room.description = description }
        if let category { room.category = category }
        if let type { room.type = type }
        if let privacy { room.privacy = privacy }
        if let invitations { room.invitations = invitations }
        if let addIn { room.addIn = addIn.isEmpty || addIn.lowercased() == "none" ? nil : addIn }
        if let disabled { room.disabled = disabled }
        room.members = members.applied(to: room.members)
        room.managers = managers.applied(to: room.managers)
        room.presenters = presenters.applied(to: room.presenters)
    }
}

/// Which rooms a listing shows (the persistent-chat room query's filters); nil matches all.
public struct RoomFilter: Sendable {
    /// Text the name contains (or the description, with `searchDescription`), case-insensitively.
    public var text: String?
    public var searchDescription = false
    public var category: String?
    public var member: Principal?
    public var manager: Principal?
    public var addIn: String?
    /// Any of these privacies (empty: any).
    public var privacies: Set<RoomPrivacy> = []
    /// Any of these types (empty: any).
    public var types: Set<RoomType> = []
    public var disabled: Bool?

    public init() {}

    public func matches(_ room: Room) -> Bool {
        if let text = text?.lowercased(), !text.isEmpty {
            guard room.name.lowercased().contains(text) || (searchDescription && room.description.lowercased().contains(text)) else { return false }
        }
        if let category, room.category.lowercased() != category.lowercased() { return false }
        if let member, !room.members.contains(member) { return false }
        if let manager, !room.managers.contains(manager) { return false }
        if let addIn, room.addIn?.lowercased() != addIn.lowercased() { return false }
        if !privacies.isEmpty, !privacies.contains(room.privacy) { return false }
        if !types.isEmpty, !types.contains(room.type) { return false }
        if let disabled, room.disabled != disabled { return false }
        return true
    }

    /// Matching rooms, by name.
    public func rooms(in directory: ChatDirectory) -> [Room] {
        directory.rooms.values.filter(matches).sorted { $0.name.lowercased() < $1.name.lowercased() }
    }
}
