/// Who a principal names (design §2): a principal covers a user if it names the user,
/// a group containing the user, or the user's domain. Users are lowercased bare JIDs.
extension ChatDirectory {
    /// The part of a bare JID after "@", or nil when there is none.
    public static func domain(of user: String) -> Substring? {
        guard let at = user.firstIndex(of: "@") else { return nil }
        return user[user.index(after: at)...]
    }

    /// The names of the server-side groups that contain `user`.
    public func groups(of user: String) -> Set<String> {
        Set(groups.compactMap { $0.value.contains(user) ? $0.key : nil })
    }

    /// The members of a group, or an empty set for an unknown group.
    public func members(ofGroup name: String) -> Set<String> {
        groups[name] ?? []
    }

    /// True when `principal` names the user, a group containing them, or their domain.
    public func covers(_ principal: Principal, user: String) -> Bool {
        switch principal {
        case .user(let jid): jid == user
        case .group(let name): groups[name]?.contains(user) ?? false
        case .domain(let domain): Self.domain(of: user).map { $0 == domain } ?? false
        }
    }

    /// True when any of `principals` covers the user.
    public func covers(_ principals: [Principal], user: String) -> Bool {
        principals.contains { covers($0, user: user) }
    }
}
