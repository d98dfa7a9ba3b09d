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
