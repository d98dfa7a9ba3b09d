/// The rules a category must satisfy when it is stored (design §2).
extension ChatDirectory {
    /// `category` in canonical form, or the first rule it breaks. `previous` is the stored
    /// version (nil on creation) and `previousKey` its dictionary key: only creators added
    /// since then must be in scope; creators that fell out of scope are stripped instead.
    func validated(_ proposed: Category, previous: Category?, previousKey: String?) throws(ChatRuleError) -> Category {
        var category = proposed
        try TextRules.checkName(category.name, of: "category", maxCharacters: ChatLimits.maxNameCharacters)
        try checkNameIsFree(category.name, exceptRoom: nil, exceptCategoryKey: previousKey)
        try TextRules.checkText(category.description, of: "category description", maxCharacters: ChatLimits.maxDescriptionCharacters)

        category.allowed = try Self.normalized(category.allowed, list: "allowed")
        category.denied = try Self.normalized(category.denied, list: "denied")
        category.creators = try Self.normalized(category.creators, list: "creator")
        let addedCreators = category.creators.added(since: previous?.creators)
        try checkGroupsExist(category.allowed.added(since: previous?.allowed)
            + category.denied.added(since: previous?.denied) + addedCreators)
        for creator in addedCreators where !isInScope(creator, of: category) {
            throw ChatRuleError(.outOfScope, Self.outOfScopeMessage(creator, category: category))
        }
        return category
    }

    /// Removes the creators of `category` that are out of its scope. Returns them.
    func strippingInvalidCreators(of category: inout Category) -> [Principal] {
        let scoped = category
        let (kept, removed) = category.creators.reduce(into: ([Principal](), [Principal]())) { result, creator in
            if isInScope(creator, of: scoped) { result.0.append(creator) } else { result.1.append(creator) }
        }
        category.creators = kept
        return removed
    }
}
