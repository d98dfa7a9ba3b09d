import PersistentChat

/// Checks a directory before it is saved: keys follow ChatDirectory's doc comments, references
/// resolve, every value is bounded, and everything stored can be read back unchanged.
/// The persistent-chat rules themselves (scope, roles…) are PersistentChat's business.
enum ChatDirectoryValidation {
    /// Throws invalidArgument for the first problem found.
    static func validate(_ directory: ChatDirectory) throws {
        for (key, category) in directory.categories {
            try validate(category, key: key)
        }
        var roomNames: [String: String] = [:]
        for (key, room) in directory.rooms {
            try validate(room, key: key, in: directory)
            if let other = roomNames.updateValue(room.localpart, forKey: room.name.lowercased()) {
                throw StoreError(.invalidArgument, "rooms \(other) and \(room.localpart) share the name \(room.name)")
            }
        }
        try validateRest(directory)
    }

    /// Like `validate`, for a change of a directory that was valid: categories and rooms that
    /// did not change are not checked again (all rooms are when any category changed, since
    /// they refer to categories).
    static func validate(_ directory: ChatDirectory, changedFrom previous: ChatDirectory) throws {
        if directory.categories != previous.categories { return try validate(directory) }
        for (key, room) in directory.rooms where previous.rooms[key] != room {
            try validate(room, key: key, in: directory)
            let name = room.name.lowercased()
            if let other = directory.rooms.values.first(where: { $0.localpart != room.localpart && $0.name.lowercased() == name }) {
                throw StoreError(.invalidArgument, "rooms \(other.localpart) and \(room.localpart) share the name \(room.name)")
            }
        }
        try validateRest(directory)
    }

    /// Add-ins, groups, administrators, policy and settings: small, checked whole.
    private static func validateRest(_ directory: ChatDirectory) throws {
        for (key, addIn) in directory.addIns {
            try InputLimits.checkChatName(addIn.name, "add-in name")
            try checkKey(key, name: addIn.name, "add-in")
            try checkText(addIn.url, "add-in URL", maxBytes: InputLimits.maxChatTextBytes)
        }
        for (name, members) in directory.groups {
            try InputLimits.checkChatName(name, "group name")
            try checkKey(name, name: name, "group")
            try members.forEach { try checkBareJID($0, "group member") }
        }
        try directory.administrators.forEach { try checkBareJID($0, "administrator") }
        try directory.serverAdministrators.forEach { try checkBareJID($0, "administrator") }
        try directory.policy.overrides.keys.forEach { try checkBareJID($0, "policy user") }
        try checkText(directory.settings.roomManagementURL, "room management URL",
                                  maxBytes: InputLimits.maxChatTextBytes, allowEmpty: true)
    }

    private static func validate(_ category: Category, key: String) throws {
        try InputLimits.checkChatName(category.name, "category name")
        try checkKey(key, name: category.name, "category")
        try checkText(category.description, "category description",
                                  maxBytes: InputLimits.maxChatTextBytes, allowEmpty: true)
        try checkPrincipals(category.allowed, "allowed members of \(category.name)")
        try checkPrincipals(category.denied, "denied members of \(category.name)")
        try checkPrincipals(category.creators, "creators of \(category.name)")
    }

    private static func validate(_ room: Room, key: String, in directory: ChatDirectory) throws {
        try InputLimits.checkRoomLocalpart(room.localpart)
        guard key == room.localpart else {
            throw StoreError(.invalidArgument, "room \(room.localpart) is filed under the key \(key)")
        }
        // Renames park names on "\u{1}…" placeholders, which a checked name can never equal.
        try InputLimits.checkChatName(room.name, "room name")
        guard directory.categories[room.category.lowercased()] != nil else {
            throw StoreError(.invalidArgument, "room \(room.localpart) names the unknown category \(room.category)")
        }
        try checkText(room.description, "room description",
                                  maxBytes: InputLimits.maxChatTextBytes, allowEmpty: true)
        try checkText(room.subject, "room subject", maxBytes: InputLimits.maxChatTextBytes, allowEmpty: true)
        if let addIn = room.addIn {
            try InputLimits.checkChatName(addIn, "room add-in")
        }
        if let author = room.subjectAuthor {
            try checkText(author, "subject author", maxBytes: InputLimits.maxChatTextBytes)
        }
        if let creator = room.createdBy {
            try checkBareJID(creator, "room creator")
        }
        try checkPrincipals(room.members, "members of \(room.localpart)")
        try checkPrincipals(room.managers, "managers of \(room.localpart)")
        try checkPrincipals(room.presenters, "presenters of \(room.localpart)")
        try checkPrincipals(room.banned, "banned from \(room.localpart)")
    }

    private static func checkKey(_ key: String, name: String, _ kind: String) throws {
        guard key == name.lowercased() else {
            throw StoreError(.invalidArgument, "\(kind) \(name) is filed under the key \(key), not its lowercased name")
        }
    }

    /// Bounded text that both backends can store (PostgreSQL's text holds no NUL).
    private static func checkText(_ text: String, _ role: String, maxBytes: Int, allowEmpty: Bool = false) throws {
        try InputLimits.checkText(text, role, maxBytes: maxBytes, allowEmpty: allowEmpty)
        try PostgresText.check(text, role)
    }

    /// A bounded bare JID that both backends can store.
    private static func checkBareJID(_ jid: String, _ role: String) throws {
        try InputLimits.checkBareJID(jid, role)
        try PostgresText.check(jid, role)
    }

    /// Each principal must survive its written form, once per list.
    private static func checkPrincipals(_ principals: [Principal], _ role: String) throws {
        var seen = Set<Principal>()
        for principal in principals {
            let text = principal.description
            guard text.utf8.count <= InputLimits.maxJIDBytes, PostgresText.isStorable(text), (try? Principal(text)) == principal else {
                throw StoreError(.invalidArgument, "\(role): '\(text.prefix(64))' is not a principal in normal form")
            }
            guard seen.insert(principal).inserted else {
                throw StoreError(.invalidArgument, "\(role) name \(text) twice")
            }
        }
    }
}
