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
