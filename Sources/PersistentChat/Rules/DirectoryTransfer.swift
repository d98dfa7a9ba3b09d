/// What of the directory a service export carries, and how an import joins it to a service's
/// directory: the one place that decides what an import adds, keeps and refuses.
///
/// Parts travel independently (`principals`, `categories`, `rooms`), so each field is optional:
/// nil means "not in this export", never "empty".
public struct DirectoryPart: Sendable, Hashable, Codable {
    public var groups: [String: Set<String>]?
    public var administrators: Set<String>?
    public var serverAdministrators: Set<String>?
    public var policy: ChatPolicy?
    public var settings: ServiceSettings?
    public var categories: [String: Category]?
    public var addIns: [String: AddIn]?
    public var rooms: [String: Room]?

    public init(groups: [String: Set<String>]? = nil, administrators: Set<String>? = nil, serverAdministrators: Set<String>? = nil,
                policy: ChatPolicy? = nil, settings: ServiceSettings? = nil, categories: [String: Category]? = nil,
                addIns: [String: AddIn]? = nil, rooms: [String: Room]? = nil) {
        self.groups = groups
        self.administrators = administrators
        self.serverAdministrators = serverAdministrators
        self.policy = policy
        self.settings = settings
        self.categories = categories
        self.addIns = addIns
        self.rooms = rooms
    }

    /// The part of `directory` an export takes: principals (groups, administrators, policy),
    /// categories (with the service settings and add-ins) and rooms, as asked. `onlyCategories`
    /// (lowercased names; empty for all) keeps those categories and their rooms.
    public init(of directory: ChatDirectory, principals: Bool, categories: Bool, rooms: Bool,
                onlyCategories: Set<String> = []) {
        func chosen(_ category: String) -> Bool { onlyCategories.isEmpty || onlyCategories.contains(category.lowercased()) }
        if principals {
            groups = directory.groups
            administrators = directory.administrators
            serverAdministrators = directory.serverAdministrators
            policy = directory.policy
        }
        if categories {
            settings = directory.settings
            self.categories = directory.categories.filter { chosen($0.key) }
            addIns = directory.addIns
        }
        if rooms {
            self.rooms = directory.rooms.filter { chosen($0.value.category) }
        }
    }

    public var isEmpty: Bool { self == DirectoryPart() }
}

/// The outcome of joining a `DirectoryPart` to a directory.
public struct DirectoryImport: Sendable, Hashable {
    /// The directory after the import (equal to the input when nothing is new).
    public var directory: ChatDirectory
    /// Why the import cannot go ahead; empty when it can.
    public var conflicts: [String]
    /// What was added (one line each), for the report.
    public var added: [String]
    /// Where the service's own value was kept over a different imported one.
    public var kept: [String]
}

extension ChatDirectory {
    /// Joins `part` to this directory. Nothing here is lost and nothing is duplicated:
    /// - groups, administrators and role lists are unions (principals matched by name);
    /// - a category, add-in or room missing here is added; one already here (same key) is the
    ///   same thing: its principal lists gain the imported ones, its other values stay (`kept`);
    /// - policy overrides missing here are added; the service settings and the global policy
    ///   switch are the imported ones (an export carries the service it describes);
    /// - conflicts: a room whose address is taken by a room of another category, a room whose
    ///   name another room here already has, an add-in here with another URL, a room whose
    ///   category or add-in exists neither here nor in the import, a policy override that says
    ///   the opposite.
    /// Importing the same part again changes nothing.
    public func importing(_ part: DirectoryPart) -> DirectoryImport {
        var result = self
        var conflicts: [String] = []
        var added: [String] = []
        var kept: [String] = []

        for (name, members) in (part.groups ?? [:]).sorted(by: { $0.key < $1.key }) {
            let existing = result.groups[name] ?? []
            if result.groups[name] == nil { added.append("group \(name)") }
            result.groups[name] = existing.union(members)
        }
        for jid in (part.administrators ?? []).sorted() {
            if result.administrators.insert(jid).inserted { added.append("administrator \(jid)") }
        }
        for jid in (part.serverAdministrators ?? []).sorted() {
            if result.serverAdministrators.insert(jid).inserted { added.append("server administrator \(jid)") }
        }
        if let policy = part.policy {
            result.policy.globalEnabled = policy.globalEnabled
            for (jid, enabled) in policy.overrides.sorted(by: { $0.key < $1.key }) {
                if let existing = result.policy.overrides[jid] {
                    if existing != enabled {
                        conflicts.append("policy for \(jid) is \(enabled ? "on" : "off") in the import but not here")
                    }
                } else {
                    result.policy.overrides[jid] = enabled
                    added.append("policy for \(jid)")
                }
            }
        }
        if let settings = part.settings { result.settings = settings }

        for (key, addIn) in (part.addIns ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let existing = result.addIns[key] {
                if existing.url != addIn.url {
                    conflicts.append("add-in \(addIn.name) has URL \(existing.url) here and \(addIn.url) in the import")
                }
            } else {
                result.addIns[key] = addIn
                added.append("add-in \(addIn.name)")
            }
        }
        for (key, category) in (part.categories ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard var existing = result.categories[key] else {
                result.categories[key] = category
                added.append("category \(category.name)")
                continue
            }
            existing.allowed = Self.union(existing.allowed, category.allowed)
            existing.denied = Self.union(existing.denied, category.denied)
            existing.creators = Self.union(existing.creators, category.creators)
            if (existing.description, existing.invitations, existing.fileUpload, existing.chatHistory)
                != (category.description, category.invitations, category.fileUpload, category.chatHistory) {
                kept.append("category \(category.name): this service's description and switches")
            }
            result.categories[key] = existing
        }
        for (key, room) in (part.rooms ?? [:]).sorted(by: { $0.key < $1.key }) {
            if result.categories[room.category.lowercased()] == nil {
                conflicts.append("room \(room.localpart) is in category \(room.category), which exists neither here nor in the import")
            }
            if let addIn = room.addIn, result.addIns[addIn.lowercased()] == nil {
                conflicts.append("room \(room.localpart) uses add-in \(addIn), which exists neither here nor in the import")
            }
            if let other = result.rooms.values.first(where: { $0.localpart != room.localpart && $0.name.lowercased() == room.name.lowercased() }) {
                conflicts.append("room \(room.localpart) is named \(room.name), a name room \(other.localpart) has here")
            }
            guard var existing = result.rooms[key] else {
                result.rooms[key] = room
                added.append("room \(room.localpart)")
                continue
            }
            guard existing.category.lowercased() == room.category.lowercased() else {
                conflicts.append("room address \(room.localpart) is taken here by a room in category \(existing.category) (the import's is in \(room.category))")
                continue
            }
            existing.members = Self.union(existing.members, room.members)
            existing.managers = Self.union(existing.managers, room.managers)
            existing.presenters = Self.union(existing.presenters, room.presenters)
            existing.banned = Self.union(existing.banned, room.banned)
            var comparable = room
            (comparable.members, comparable.managers, comparable.presenters, comparable.banned)
                = (existing.members, existing.managers, existing.presenters, existing.banned)
            if comparable != existing { kept.append("room \(room.localpart): this service's settings") }
            result.rooms[key] = existing
        }
        return DirectoryImport(directory: result, conflicts: conflicts, added: added, kept: kept)
    }

    /// `base` followed by what `more` adds, each principal once.
    private static func union(_ base: [Principal], _ more: [Principal]) -> [Principal] {
        var seen = Set(base)
        return base + more.filter { seen.insert($0).inserted }
    }
}
