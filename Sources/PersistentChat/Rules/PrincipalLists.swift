/// Normalising and checking the principal lists of categories and rooms.
extension ChatDirectory {
    /// The list in canonical form (lowercased, each principal once, in first-seen order),
    /// or `invalid` when a principal is malformed or the list is too long.
    static func normalized(_ principals: [Principal], list: String) throws(ChatRuleError) -> [Principal] {
        guard principals.count <= ChatLimits.maxPrincipalsPerList else {
            throw ChatRuleError(.invalid, "The \(list) list may hold at most \(ChatLimits.maxPrincipalsPerList) principals.")
        }
        var seen = Set<Principal>()
        var result: [Principal] = []
        for principal in principals {
            let canonical = try canonical(principal)
            if seen.insert(canonical).inserted { result.append(canonical) }
        }
        return result
    }

    /// The principal as its written form parses back, which must be the same kind.
    static func canonical(_ principal: Principal) throws(ChatRuleError) -> Principal {
        let parsed = try Principal(principal.description)
        switch (principal, parsed) {
        case (.user, .user), (.group, .group), (.domain, .domain): return parsed
        default: throw ChatRuleError(.invalid, "'\(principal.description.prefix(300))' is not a valid \(principal.kindName) principal.")
        }
    }

    /// A bare JID parsed as a user principal, lowercased.
    static func canonicalUser(_ user: String) throws(ChatRuleError) -> String {
        guard case .user(let jid) = try? Principal(user) else {
            throw ChatRuleError(.invalid, "'\(user.prefix(300))' is not a valid user (user@domain).")
        }
        return jid
    }

    /// Every group principal among `principals` must name an existing group.
    func checkGroupsExist(_ principals: some Sequence<Principal>) throws(ChatRuleError) {
        for case .group(let name) in principals where groups[name] == nil {
            throw ChatRuleError(.notFound, "Group \(name) does not exist.")
        }
    }
}

extension Principal {
    /// "user", "group" or "domain", for messages.
    var kindName: String {
        switch self {
        case .user: "user"
        case .group: "group"
        case .domain: "domain"
        }
    }
}

extension Array where Element == Principal {
    /// The entries not in `previous`: the ones being added.
    func added(since previous: [Principal]?) -> [Principal] {
        guard let previous else { return self }
        let old = Set(previous)
        return filter { !old.contains($0) }
    }
}
