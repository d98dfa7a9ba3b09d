/// What changed between two versions of the directory, as short phrases for the operator's
/// log ("room created: design"). Rooms are named by address, the rest by their keys.
extension ChatDirectory {
    public func changes(since previous: ChatDirectory) -> [String] {
        var lines = Self.keyed("room", previous.rooms, rooms)
        lines += Self.keyed("category", previous.categories, categories)
        lines += Self.keyed("add-in", previous.addIns, addIns)
        lines += Self.keyed("group", previous.groups, groups)
        lines += Self.members("administrator", previous.administrators, administrators)
        lines += Self.members("server administrator", previous.serverAdministrators, serverAdministrators)
        if policy != previous.policy { lines.append("persistent chat policy changed") }
        if settings != previous.settings { lines.append("service settings changed") }
        return lines
    }

    private static func keyed<Value: Equatable>(_ kind: String, _ before: [String: Value], _ after: [String: Value]) -> [String] {
        var lines: [String] = []
        for key in after.keys.sorted() {
            if let old = before[key] {
                if old != after[key] { lines.append("\(kind) changed: \(key)") }
            } else {
                lines.append("\(kind) created: \(key)")
            }
        }
        for key in before.keys.sorted() where after[key] == nil { lines.append("\(kind) removed: \(key)") }
        return lines
    }

    private static func members(_ kind: String, _ before: Set<String>, _ after: Set<String>) -> [String] {
        after.subtracting(before).sorted().map { "\(kind) added: \($0)" }
            + before.subtracting(after).sorted().map { "\(kind) removed: \($0)" }
    }
}
