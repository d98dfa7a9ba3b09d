/// One role entry removed from a room.
public struct StrippedRole: Sendable, Hashable, CustomStringConvertible {
    public var role: RoomRole
    public var principal: Principal

    /// Creates the record of one removed role entry.
    public init(role: RoomRole, principal: Principal) {
        self.role = role
        self.principal = principal
    }

    public var description: String { "\(role.rawValue) \(principal)" }
}

/// Roles removed because they fell out of scope (or stopped being valid), per room.
public struct RoleStripping: Sendable, Hashable {
    /// Room localpart → removed entries, in list order.
    public var removed: [String: [StrippedRole]]
    /// Category name → creators removed because they fell out of the category's scope.
    public var removedCreators: [String: [Principal]]

    /// Creates a report; empty by default.
    public init(removed: [String: [StrippedRole]] = [:], removedCreators: [String: [Principal]] = [:]) {
        self.removed = removed
        self.removedCreators = removedCreators
    }

    /// True when nothing was removed.
    public var isEmpty: Bool {
        removed.values.allSatisfy(\.isEmpty) && removedCreators.values.allSatisfy(\.isEmpty)
    }

    /// The localparts of the rooms that lost at least one role: their occupants need re-checking.
    public var affectedRooms: Set<String> {
        Set(removed.filter { !$0.value.isEmpty }.keys)
    }

    /// Adds the removals of one room.
    mutating func record(_ entries: [StrippedRole], room localpart: String) {
        guard !entries.isEmpty else { return }
        removed[localpart, default: []].append(contentsOf: entries)
    }

    /// Adds the creators removed from one category.
    mutating func record(creators: [Principal], category name: String) {
        guard !creators.isEmpty else { return }
        removedCreators[name, default: []].append(contentsOf: creators)
    }

    /// Adds every removal of `other`.
    mutating func merge(_ other: RoleStripping) {
        for (room, entries) in other.removed { record(entries, room: room) }
        for (category, creators) in other.removedCreators { record(creators: creators, category: category) }
    }
}
