import GRDB
import PersistentChat

/// Writes the difference between two directories inside the caller's transaction.
/// Each changed object is written whole (its row, and each of its lists that changed);
/// unchanged objects are not touched. Writes are keyed upserts and deletes, so even a
/// slightly stale `previous` converges on `directory` for everything that differs.
/// The statements are the same on both backends (`statements(for:previous:)`).
enum ChatDirectoryWriter {
    /// The role under which chat_room_roles keeps a room's Banned list (no migration: the column is free text).
    static let bannedRole = "banned"

    /// Makes the stored directory on SQLite equal `directory`, assuming it currently equals `previous`.
    static func save(_ directory: ChatDirectory, previous: ChatDirectory, _ db: Database) throws {
        for statement in statements(for: directory, previous: previous) {
            try db.execute(statement)
        }
    }

    /// Increments the revision on SQLite inside the caller's transaction and returns it.
    @discardableResult
    static func bumpRevision(_ db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE chat_revision SET revision = revision + 1 WHERE id = 1")
        return try ChatDirectoryReader.revision(db)
    }

    /// The statements that make a stored `previous` equal `directory`, in the order to run them.
    static func statements(for directory: ChatDirectory, previous: ChatDirectory) -> [ChatSQLStatement] {
        var out: [ChatSQLStatement] = []
        // Categories first and removed ones last, so rooms always point at an existing one.
        saveCategories(directory.categories, previous: previous.categories, &out)
        saveAddIns(directory.addIns, previous: previous.addIns, &out)
        saveGroups(directory.groups, previous: previous.groups, &out)
        saveRooms(directory.rooms, previous: previous.rooms, &out)
        for key in previous.categories.keys where directory.categories[key] == nil {
            out.append(ChatSQLStatement("DELETE FROM chat_categories WHERE key = ?", [.text(key)]))
        }
        saveAdministrators(of: directory, previous: previous, &out)
        savePolicy(directory.policy, previous: previous.policy, &out)
        if directory.settings != previous.settings || directory.policy.globalEnabled != previous.policy.globalEnabled {
            saveSettings(directory.settings, policyEnabled: directory.policy.globalEnabled, &out)
        }
        return out
    }

    // MARK: - Categories

    private static func saveCategories(_ categories: [String: Category], previous: [String: Category],
                                       _ out: inout [ChatSQLStatement]) {
        for (key, category) in categories where previous[key] != category {
            let old = previous[key]
            out.append(ChatSQLStatement("""
                INSERT INTO chat_categories (key, name, description, invitations, file_upload, chat_history)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET name = excluded.name, description = excluded.description,
                    invitations = excluded.invitations, file_upload = excluded.file_upload, chat_history = excluded.chat_history
                """, [.text(key), .text(category.name), .text(category.description), .bool(category.invitations),
                      .bool(category.fileUpload), .bool(category.chatHistory)]))
            let lists: [(PrincipalList, [Principal], [Principal]?)] = [
                (.allowed, category.allowed, old?.allowed),
                (.denied, category.denied, old?.denied),
                (.creator, category.creators, old?.creators),
            ]
            for (list, principals, oldPrincipals) in lists where principals != oldPrincipals {
                out.append(ChatSQLStatement("DELETE FROM chat_category_principals WHERE category = ? AND list = ?",
                                            [.text(key), .text(list.rawValue)]))
                for (position, principal) in principals.enumerated() {
                    out.append(ChatSQLStatement("""
                        INSERT INTO chat_category_principals (category, list, principal, position) VALUES (?, ?, ?, ?)
                        """, [.text(key), .text(list.rawValue), .text(principal.description), ChatSQLValue(position)]))
                }
            }
        }
    }

    // MARK: - Rooms

    private static func saveRooms(_ rooms: [String: Room], previous: [String: Room], _ out: inout [ChatSQLStatement]) {
        for localpart in previous.keys where rooms[localpart] == nil {
            // Roles, invitations, joins and vCards cascade; messages stay until the archive deletes them.
            out.append(ChatSQLStatement("DELETE FROM chat_rooms WHERE localpart = ?", [.text(localpart)]))
        }
        let changed = rooms.filter { previous[$0.key] != $0.value }
        // Names are unique, so park renamed rooms on placeholders first: two rooms may swap names.
        for (localpart, room) in changed where previous[localpart].map({ $0.name != room.name }) ?? false {
            out.append(ChatSQLStatement("UPDATE chat_rooms SET name = ? WHERE localpart = ?",
                                        [.text("\u{1}" + localpart), .text(localpart)]))
        }
        for (localpart, room) in changed {
            let old = previous[localpart]
            out.append(ChatSQLStatement("""
                INSERT INTO chat_rooms (localpart, name, description, category, category_key, type, privacy, invitations,
                                        disabled, add_in, subject, created_by, subject_author)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (localpart) DO UPDATE SET name = excluded.name, description = excluded.description,
                    category = excluded.category, category_key = excluded.category_key, type = excluded.type,
                    privacy = excluded.privacy, invitations = excluded.invitations, disabled = excluded.disabled,
                    add_in = excluded.add_in, subject = excluded.subject, created_by = excluded.created_by,
                    subject_author = excluded.subject_author
                """, [.text(localpart), .text(room.name), .text(room.description), .text(room.category),
                      .text(room.category.lowercased()), .text(room.type.rawValue), .text(room.privacy.rawValue),
                      .text(room.invitations.rawValue), .bool(room.disabled), ChatSQLValue(room.addIn), .text(room.subject),
                      ChatSQLValue(room.createdBy), ChatSQLValue(room.subjectAuthor)]))
            let roles: [(String, [Principal], [Principal]?)] = [
                (RoomRole.member.rawValue, room.members, old?.members),
                (RoomRole.manager.rawValue, room.managers, old?.managers),
                (RoomRole.presenter.rawValue, room.presenters, old?.presenters),
                (Self.bannedRole, room.banned, old?.banned),
            ]
            for (role, principals, oldPrincipals) in roles where principals != oldPrincipals {
                out.append(ChatSQLStatement("DELETE FROM chat_room_roles WHERE room = ? AND role = ?",
                                            [.text(localpart), .text(role)]))
                for (position, principal) in principals.enumerated() {
                    out.append(ChatSQLStatement("""
                        INSERT INTO chat_room_roles (room, role, principal, position) VALUES (?, ?, ?, ?)
                        """, [.text(localpart), .text(role), .text(principal.description), ChatSQLValue(position)]))
                }
            }
        }
    }

    // MARK: - Add-ins, groups, administrators, policy, settings

    private static func saveAddIns(_ addIns: [String: AddIn], previous: [String: AddIn], _ out: inout [ChatSQLStatement]) {
        for key in previous.keys where addIns[key] == nil {
            out.append(ChatSQLStatement("DELETE FROM chat_addins WHERE key = ?", [.text(key)]))
        }
        for (key, addIn) in addIns where previous[key] != addIn {
            out.append(ChatSQLStatement("""
                INSERT INTO chat_addins (key, name, url) VALUES (?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET name = excluded.name, url = excluded.url
                """, [.text(key), .text(addIn.name), .text(addIn.url)]))
        }
    }

    private static func saveGroups(_ groups: [String: Set<String>], previous: [String: Set<String>],
                                   _ out: inout [ChatSQLStatement]) {
        for name in previous.keys where groups[name] == nil {
            out.append(ChatSQLStatement("DELETE FROM chat_groups WHERE name = ?", [.text(name)]))
        }
        for (name, members) in groups where previous[name] != members {
            out.append(ChatSQLStatement("INSERT INTO chat_groups (name) VALUES (?) ON CONFLICT DO NOTHING", [.text(name)]))
            let old = previous[name] ?? []
            for member in old.subtracting(members) {
                out.append(ChatSQLStatement("DELETE FROM chat_group_members WHERE group_name = ? AND member = ?",
                                            [.text(name), .text(member)]))
            }
            for member in members.subtracting(old) {
                out.append(ChatSQLStatement("INSERT INTO chat_group_members (group_name, member) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                            [.text(name), .text(member)]))
            }
        }
    }

    private static func saveAdministrators(of directory: ChatDirectory, previous: ChatDirectory, _ out: inout [ChatSQLStatement]) {
        let roles = administratorRoles(directory), previousRoles = administratorRoles(previous)
        for jid in previousRoles.keys where roles[jid] == nil {
            out.append(ChatSQLStatement("DELETE FROM chat_admins WHERE jid = ?", [.text(jid)]))
        }
        for (jid, role) in roles where previousRoles[jid] != role {
            out.append(ChatSQLStatement("""
                INSERT INTO chat_admins (jid, role) VALUES (?, ?)
                ON CONFLICT (jid) DO UPDATE SET role = excluded.role
                """, [.text(jid), .text(role.rawValue)]))
        }
    }

    private static func administratorRoles(_ directory: ChatDirectory) -> [String: AdministratorRole] {
        var roles: [String: AdministratorRole] = [:]
        for jid in directory.administrators { roles[jid] = .chat }
        for jid in directory.serverAdministrators { roles[jid] = .server }
        return roles
    }

    private static func savePolicy(_ policy: ChatPolicy, previous: ChatPolicy, _ out: inout [ChatSQLStatement]) {
        for user in previous.overrides.keys where policy.overrides[user] == nil {
            out.append(ChatSQLStatement(#"DELETE FROM chat_policy WHERE "user" = ?"#, [.text(user)]))
        }
        for (user, enabled) in policy.overrides where previous.overrides[user] != enabled {
            out.append(ChatSQLStatement("""
                INSERT INTO chat_policy ("user", enabled) VALUES (?, ?)
                ON CONFLICT ("user") DO UPDATE SET enabled = excluded.enabled
                """, [.text(user), .bool(enabled)]))
        }
    }

    private static func saveSettings(_ settings: ServiceSettings, policyEnabled: Bool, _ out: inout [ChatSQLStatement]) {
        out.append(ChatSQLStatement("""
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
            """, [ChatSQLValue(settings.defaultChatHistory), ChatSQLValue(settings.maxFileSizeKB),
                  ChatSQLValue(settings.participantUpdateLimit), .text(settings.roomManagementURL), .bool(policyEnabled),
                  ChatSQLValue(settings.maxRoomsPerCreator)]))
    }
}
