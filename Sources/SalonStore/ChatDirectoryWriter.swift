import GRDB
import PersistentChat

/// Writes the difference between two directories inside the caller's transaction.
/// Each changed object is written whole (its row, and each of its lists that changed);
/// unchanged objects are not touched. Writes are keyed updates and deletes, so even a
/// slightly stale `previous` converges on `directory` for everything that differs.
enum ChatDirectoryWriter {
    /// The role under which chat_room_roles keeps a room's Banned list (no migration: the column is free text).
    static let bannedRole = "banned"
    /// Makes the stored directory equal `directory`, assuming it currently equals `previous`.
    static func save(_ directory: ChatDirectory, previous: ChatDirectory, _ db: Database) throws {
        // Categories first and removed ones last, so rooms always point at an existing one.
        try saveCategories(directory.categories, previous: previous.categories, db)
        try saveAddIns(directory.addIns, previous: previous.addIns, db)
        try saveGroups(directory.groups, previous: previous.groups, db)
        try saveRooms(directory.rooms, previous: previous.rooms, db)
        for key in previous.categories.keys where directory.categories[key] == nil {
            try db.execute(sql: "DELETE FROM chat_categories WHERE key = ?", arguments: [key])
        }
        try saveAdministrators(of: directory, previous: previous, db)
        try savePolicy(directory.policy, previous: previous.policy, db)
        if directory.settings != previous.settings || directory.policy.globalEnabled != previous.policy.globalEnabled {
            try saveSettings(directory.settings, policyEnabled: directory.policy.globalEnabled, db)
        }
    }

    /// Increments the revision inside the caller's transaction and returns it.
    @discardableResult
    static func bumpRevision(_ db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE chat_revision SET revision = revision + 1 WHERE id = 1")
        return try ChatDirectoryReader.revision(db)
    }

    // MARK: - Categories

    private static func saveCategories(_ categories: [String: Category], previous: [String: Category],
                                       _ db: Database) throws {
        for (key, category) in categories where previous[key] != category {
            let old = previous[key]
            let arguments: StatementArguments = [category.name, category.description, category.invitations,
                                                 category.fileUpload, category.chatHistory, key]
            try db.execute(sql: """
                UPDATE chat_categories SET name = ?, description = ?, invitations = ?, file_upload = ?, chat_history = ?
                WHERE key = ?
                """, arguments: arguments)
            if db.changesCount == 0 {
                try db.execute(sql: """
                    INSERT INTO chat_categories (name, description, invitations, file_upload, chat_history, key)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
            }
            let lists: [(PrincipalList, [Principal], [Principal]?)] = [
                (.allowed, category.allowed, old?.allowed),
                (.denied, category.denied, old?.denied),
                (.creator, category.creators, old?.creators),
            ]
            for (list, principals, oldPrincipals) in lists where principals != oldPrincipals {
                try db.execute(sql: "DELETE FROM chat_category_principals WHERE category = ? AND list = ?",
                               arguments: [key, list.rawValue])
                for (position, principal) in principals.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO chat_category_principals (category, list, principal, position) VALUES (?, ?, ?, ?)
                        """, arguments: [key, list.rawValue, principal.description, position])
                }
            }
        }
    }

    // MARK: - Rooms

    private static func saveRooms(_ rooms: [String: Room], previous: [String: Room], _ db: Database) throws {
        for localpart in previous.keys where rooms[localpart] == nil {
            // Roles, invitations and joins cascade; messages stay until deleteMessages.
            try db.execute(sql: "DELETE FROM chat_rooms WHERE localpart = ?", arguments: [localpart])
        }
        let changed = rooms.filter { previous[$0.key] != $0.value }
        // Names are unique, so park renamed rooms on placeholders first: two rooms may swap names.
        for (localpart, room) in changed where previous[localpart].map({ $0.name != room.name }) ?? false {
            try db.execute(sql: "UPDATE chat_rooms SET name = ? WHERE localpart = ?",
                           arguments: ["\u{1}" + localpart, localpart])
        }
        for (localpart, room) in changed {
            let old = previous[localpart]
            let arguments: StatementArguments = [
                room.name, room.description, room.category, room.category.lowercased(), room.type.rawValue,
                room.privacy.rawValue, room.invitations.rawValue, room.disabled, room.addIn, room.subject, room.createdBy,
                room.subjectAuthor, localpart,
            ]
            try db.execute(sql: """
                UPDATE chat_rooms SET name = ?, description = ?, category = ?, category_key = ?, type = ?,
                    privacy = ?, invitations = ?, disabled = ?, add_in = ?, subject = ?, created_by = ?,
                    subject_author = ?
                WHERE localpart = ?
                """, arguments: arguments)
            if db.changesCount == 0 {
                try db.execute(sql: """
                    INSERT INTO chat_rooms (name, description, category, category_key, type, privacy, invitations,
                                            disabled, add_in, subject, created_by, subject_author, localpart)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
            }
            let roles: [(String, [Principal], [Principal]?)] = [
                (RoomRole.member.rawValue, room.members, old?.members),
                (RoomRole.manager.rawValue, room.managers, old?.managers),
                (RoomRole.presenter.rawValue, room.presenters, old?.presenters),
                (Self.bannedRole, room.banned, old?.banned),
            ]
            for (role, principals, oldPrincipals) in roles where principals != oldPrincipals {
                try db.execute(sql: "DELETE FROM chat_room_roles WHERE room = ? AND role = ?",
                               arguments: [localpart, role])
                for (position, principal) in principals.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO chat_room_roles (room, role, principal, position) VALUES (?, ?, ?, ?)
                        """, arguments: [localpart, role, principal.description, position])
                }
            }
        }
    }

    // MARK: - Add-ins, groups, administrators, policy, settings

    private static func saveAddIns(_ addIns: [String: AddIn], previous: [String: AddIn], _ db: Database) throws {
        for key in previous.keys where addIns[key] == nil {
            try db.execute(sql: "DELETE FROM chat_addins WHERE key = ?", arguments: [key])
        }
        for (key, addIn) in addIns where previous[key] != addIn {
            try db.execute(sql: "UPDATE chat_addins SET name = ?, url = ? WHERE key = ?",
                           arguments: [addIn.name, addIn.url, key])
            if db.changesCount == 0 {
                try db.execute(sql: "INSERT INTO chat_addins (name, url, key) VALUES (?, ?, ?)",
                               arguments: [addIn.name, addIn.url, key])
            }
        }
    }

    private static func saveGroups(_ groups: [String: Set<String>], previous: [String: Set<String>],
                                   _ db: Database) throws {
        for name in previous.keys where groups[name] == nil {
            try db.execute(sql: "DELETE FROM chat_groups WHERE name = ?", arguments: [name])
        }
        for (name, members) in groups where previous[name] != members {
            try db.execute(sql: "INSERT OR IGNORE INTO chat_groups (name) VALUES (?)", arguments: [name])
            let old = previous[name] ?? []
            for member in old.subtracting(members) {
                try db.execute(sql: "DELETE FROM chat_group_members WHERE group_name = ? AND member = ?",
                               arguments: [name, member])
            }
            for member in members.subtracting(old) {
                try db.execute(sql: "INSERT OR IGNORE INTO chat_group_members (group_name, member) VALUES (?, ?)",
                               arguments: [name, member])
            }
        }
    }

    private static func saveAdministrators(of directory: ChatDirectory, previous: ChatDirectory, _ db: Database) throws {
        let roles = administratorRoles(directory), previousRoles = administratorRoles(previous)
        for jid in previousRoles.keys where roles[jid] == nil {
            try db.execute(sql: "DELETE FROM chat_admins WHERE jid = ?", arguments: [jid])
        }
        for (jid, role) in roles where previousRoles[jid] != role {
            try db.execute(sql: """
                INSERT INTO chat_admins (jid, role) VALUES (?, ?)
                ON CONFLICT (jid) DO UPDATE SET role = excluded.role
                """, arguments: [jid, role.rawValue])
        }
    }

    private static func administratorRoles(_ directory: ChatDirectory) -> [String: AdministratorRole] {
        var roles: [String: AdministratorRole] = [:]
        for jid in directory.administrators { roles[jid] = .chat }
        for jid in directory.serverAdministrators { roles[jid] = .server }
        return roles
    }

    private static func savePolicy(_ policy: ChatPolicy, previous: ChatPolicy, _ db: Database) throws {
        for user in previous.overrides.keys where policy.overrides[user] == nil {
            try db.execute(sql: "DELETE FROM chat_policy WHERE user = ?", arguments: [user])
        }
        for (user, enabled) in policy.overrides where previous.overrides[user] != enabled {
            try db.execute(sql: """
                INSERT INTO chat_policy (user, enabled) VALUES (?, ?)
                ON CONFLICT (user) DO UPDATE SET enabled = excluded.enabled
                """, arguments: [user, enabled])
        }
    }

    private static func saveSettings(_ settings: ServiceSettings, policyEnabled: Bool, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO chat_settings (id, default_chat_history, max_file_size_kb, participant_update_limit,
                                       room_management_url, policy_enabled, max_rooms_per_creator)
            VALUES (1, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                default_chat_history = excluded.default_chat_history,
                max_file_size_kb = excluded.max_file_size_kb,
                participant_update_limit = excluded.participant_update_limit,
                room_management_url = excluded.room_management_url,
                policy_enabled = excluded.policy_enabled,
                max_rooms_per_creator = excluded.max_rooms_per_creator
            """, arguments: [settings.defaultChatHistory, settings.maxFileSizeKB, settings.participantUpdateLimit,
                             settings.roomManagementURL, policyEnabled, settings.maxRoomsPerCreator])
    }
}
