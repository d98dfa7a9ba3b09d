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

/// Applies the scope rules after a change that may have shrunk a scope (design §2): a category
/// update, a room move, a group losing members, a group removed.
extension ChatDirectory {
    /// Strips invalid creators and room roles in the categories with these keys (all when nil)
    /// and in their rooms, and reports what went.
    mutating func stripInvalidRoles(inCategories keys: Set<String>? = nil) -> RoleStripping {
        var report = RoleStripping()
        for key in categories.keys.sorted() where keys?.contains(key) ?? true {
            guard var category = categories[key] else { continue }
            let removed = strippingInvalidCreators(of: &category)
            guard !removed.isEmpty else { continue }
            categories[key] = category
            report.record(creators: removed, category: category.name)
        }
        for localpart in rooms.keys.sorted() {
            guard var room = rooms[localpart] else { continue }
            if let keys {
                guard let key = categoryKey(named: room.category), keys.contains(key) else { continue }
            }
            let removed = strippingInvalidRoles(of: &room)
            guard !removed.isEmpty else { continue }
            rooms[localpart] = room
            report.record(removed, room: localpart)
        }
        return report
    }
}
