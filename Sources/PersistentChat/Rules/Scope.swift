/// Category scope (design §2): AllowedMembers − DeniedMembers, deny always wins.
extension ChatDirectory {
    /// True when the user is covered by the category's allowed list and not by its denied list.
    public func isInScope(user: String, of category: Category) -> Bool {
        covers(category.allowed, user: user) && !covers(category.denied, user: user)
    }

    /// Whether a principal may hold a role in (or be a creator of) the category's rooms.
    ///
    /// - A user: in scope as a user (covered by allowed, not by denied).
    /// - A group: not denied itself; allowed itself, or (when it has members) every member is on
    ///   one allowed domain; and, when it has members, not every member is denied.
    ///   An empty group is in scope only when it is allowed by name.
    /// - A domain: allowed by name and not denied by name.
    public func isInScope(_ principal: Principal, of category: Category) -> Bool {
        switch principal {
        case .user(let jid):
            return isInScope(user: jid, of: category)
        case .group(let name):
            guard !category.denied.contains(principal) else { return false }
            let members = members(ofGroup: name)
            let allowed = category.allowed.contains(principal)
                || (!members.isEmpty && category.allowed.contains { allowedEntry in
                    guard case .domain(let domain) = allowedEntry else { return false }
                    return members.allSatisfy { Self.domain(of: $0).map { $0 == domain } ?? false }
                })
            guard allowed else { return false }
            return members.isEmpty || members.contains { !covers(category.denied, user: $0) }
        case .domain:
            return category.allowed.contains(principal) && !category.denied.contains(principal)
        }
    }

    /// The message of the `outOfScope` error for `principal`.
    static func outOfScopeMessage(_ principal: Principal, category: Category) -> String {
        "\(principal) is not in the scope of category \(category.name) (AllowedMembers − DeniedMembers)."
    }
}
