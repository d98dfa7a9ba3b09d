/// Changes to a principal list: a replacement, or additions and removals (order kept, no duplicates).
public struct PrincipalListEdit: Sendable {
    public var replacement: [Principal]?
    public var added: [Principal] = []
    public var removed: [Principal] = []

    public init(replacement: [Principal]? = nil, adding added: [Principal] = [], removing removed: [Principal] = []) {
        self.replacement = replacement
        self.added = added
        self.removed = removed
    }

    public func applied(to list: [Principal]) -> [Principal] {
        var result = (replacement ?? list).filter { !removed.contains($0) }
        for principal in added where !result.contains(principal) { result.append(principal) }
        return result
    }
}
