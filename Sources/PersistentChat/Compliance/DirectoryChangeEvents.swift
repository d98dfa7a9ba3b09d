/// The administrative events a directory change makes (design §6): rooms and categories
/// created, changed or removed, with the fields that changed before and after; changes of who
/// holds a role in a room (members, managers, presenters, banned) and of the administrators as
/// ROLE_CHANGED.
extension ComplianceEvent {
    public static func directoryChanges(from before: ChatDirectory, to after: ChatDirectory, actor: String, session: String,
                                        time: Int64) -> [ComplianceEvent] {
        var events: [ComplianceEvent] = []
        func event(_ type: ComplianceEventType, room: String = "", what: String, target: String? = nil, before: String?, after: String?) {
            events.append(.administrative(type, time: time, actor: actor, session: session, room: room, what: what, target: target,
                                          before: before, after: after))
        }
        for key in Set(before.rooms.keys).union(after.rooms.keys).sorted() {
            switch (before.rooms[key], after.rooms[key]) {
            case (nil, let room?):
                event(.roomChanged, room: key, what: "room created", before: nil, after: describe(room, except: []))
            case (let room?, nil):
                event(.roomChanged, room: key, what: "room removed", before: describe(room, except: []), after: nil)
            case (let old?, let new?) where old != new:
                let (was, now) = differences(old, new, except: roleFields)
                if !was.isEmpty { event(.roomChanged, room: key, what: "room changed", before: was, after: now) }
                for field in roleFields {
                    let (was, now) = differences(old, new, only: field)
                    if !was.isEmpty { event(.roleChanged, room: key, what: "\(field) changed", before: was, after: now) }
                }
            default:
                break
            }
        }
        for key in Set(before.categories.keys).union(after.categories.keys).sorted() {
            switch (before.categories[key], after.categories[key]) {
            case (nil, let category?):
                event(.categoryChanged, what: "category created", target: key, before: nil, after: describe(category, except: []))
            case (let category?, nil):
                event(.categoryChanged, what: "category removed", target: key, before: describe(category, except: []), after: nil)
            case (let old?, let new?) where old != new:
                let (was, now) = differences(old, new, except: [])
                event(.categoryChanged, what: "category changed", target: key, before: was, after: now)
            default:
                break
            }
        }
        if before.administrators != after.administrators {
            event(.roleChanged, what: "administrators changed", before: before.administrators.sorted().joined(separator: ", "),
                  after: after.administrators.sorted().joined(separator: ", "))
        }
        return events
    }

    /// A room's fields that say who holds a role in it.
    static let roleFields = ["members", "managers", "presenters", "banned"]

    /// "field: value; …" for every stored field but `except`.
    static func describe<T>(_ value: T, except: [String]) -> String {
        Mirror(reflecting: value).children.compactMap { child in
            guard let label = child.label, !except.contains(label) else { return nil }
            return "\(label): \(text(child.value))"
        }.joined(separator: "; ")
    }

    /// The fields that differ, before and after, as "field: value; …".
    static func differences<T>(_ old: T, _ new: T, except: [String] = [], only: String? = nil) -> (String, String) {
        var was: [String] = []
        var now: [String] = []
        for (a, b) in zip(Mirror(reflecting: old).children, Mirror(reflecting: new).children) {
            guard let label = a.label, !except.contains(label), only == nil || only == label else { continue }
            let (before, after) = (text(a.value), text(b.value))
            if before != after {
                was.append("\(label): \(before)")
                now.append("\(label): \(after)")
            }
        }
        return (was.joined(separator: "; "), now.joined(separator: "; "))
    }

    private static func text(_ value: Any) -> String {
        if let principals = value as? [Principal] { return principals.map(\.description).joined(separator: ", ") }
        if let optional = value as? String? { return optional ?? "" }
        return String(describing: value)
    }
}
