/// Creating, changing and removing categories: administrators only (design §2).
extension ChatDirectory {
    /// Validates and adds a category.
    public mutating func createCategory(_ category: Category, by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "create categories")
        let created = try validated(category, previous: nil, previousKey: nil)
        categories[created.name.lowercased()] = created
    }

    /// Changes a category. A rename follows into its rooms; a scope that shrank strips the
    /// creators and room roles that fell out of it, which the result reports.
    public mutating func updateCategory(named name: String, by actor: ChatActor,
                                        _ change: (inout Category) throws(ChatRuleError) -> Void) throws(ChatRuleError) -> RoleStripping {
        try requireAdministrator(actor, to: "change categories")
        guard let key = categoryKey(named: name), let previous = categories[key] else { throw Self.categoryNotFound(name) }
        var proposed = previous
        try change(&proposed)
        let category = try validated(proposed, previous: previous, previousKey: key)

        let newKey = category.name.lowercased()
        categories[key] = nil
        categories[newKey] = category
        if category.name != previous.name {
            let oldName = previous.name.lowercased()
            for (localpart, room) in rooms where room.category.lowercased() == oldName {
                rooms[localpart]?.category = category.name
            }
        }
        return stripInvalidRoles(inCategories: [newKey])
    }

    /// Removes a category; `conflict` while rooms are still in it.
    public mutating func removeCategory(named name: String, by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "remove categories")
        guard let key = categoryKey(named: name), let category = categories[key] else { throw Self.categoryNotFound(name) }
        let lowered = category.name.lowercased()
        let count = rooms.values.filter { $0.category.lowercased() == lowered }.count
        guard count == 0 else {
            throw ChatRuleError(.conflict, "Category \(category.name) still has \(count) room(s): delete or move them first.")
        }
        categories[key] = nil
    }
}
