import GRDB
import PersistentChat

/// Reads the stored chat directory back into the model, refusing rows it cannot understand.
enum ChatDirectoryReader {
    /// The whole directory, read inside the caller's transaction (one consistent snapshot).
    static func load(_ db: Database) throws -> ChatDirectory {
        let (policy, settings) = try policyAndSettings(db)
        let roles = try Row.fetchAll(db, sql: "SELECT jid, role FROM chat_admins").map { row -> (String, String) in (row["jid"], row["role"]) }
        return ChatDirectory(
            categories: try categories(db),
            rooms: try rooms(db),
            addIns: try addIns(db),
            groups: try groups(db),
            administrators: Set(roles.filter { $0.1 == AdministratorRole.chat.rawValue }.map(\.0)),
            serverAdministrators: Set(roles.filter { $0.1 == AdministratorRole.server.rawValue }.map(\.0)),
            policy: policy,
            settings: settings)
    }

    /// The revision counter the migration created.
    static func revision(_ db: Database) throws -> Int64 {
        guard let revision = try Int64.fetchOne(db, sql: "SELECT revision FROM chat_revision WHERE id = 1") else {
            throw StoreError(.other, "the chat revision row is missing")
        }
        return revision
    }

    private static func categories(_ db: Database) throws -> [String: Category] {
        var categories: [String: Category] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT key, name, description, invitations, file_upload, chat_history FROM chat_categories
            """) {
            categories[try row.decode(String.self, forColumn: "key")] = Category(
                name: try row.decode(String.self, forColumn: "name"),
                description: try row.decode(String.self, forColumn: "description"),
                invitations: try row.decode(Bool.self, forColumn: "invitations"),
                fileUpload: try row.decode(Bool.self, forColumn: "file_upload"),
                chatHistory: try row.decode(Bool.self, forColumn: "chat_history"))
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT category, list, principal FROM chat_category_principals ORDER BY category, list, position
            """) {
            let key = try row.decode(String.self, forColumn: "category")
            let principal = try self.principal(row)
            switch try row.decode(String.self, forColumn: "list") {
            case PrincipalList.allowed.rawValue: categories[key]?.allowed.append(principal)
            case PrincipalList.denied.rawValue: categories[key]?.denied.append(principal)
            case PrincipalList.creator.rawValue: categories[key]?.creators.append(principal)
            case let list: throw corrupt("category \(key) has an unknown principal list '\(list)'")
            }
        }
        return categories
    }

    private static func rooms(_ db: Database) throws -> [String: Room] {
        var rooms: [String: Room] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT localpart, name, description, category, type, privacy, invitations, disabled, add_in, subject, created_by,
                subject_author
            FROM chat_rooms
            """) {
            let localpart = try row.decode(String.self, forColumn: "localpart")
            rooms[localpart] = Room(
                localpart: localpart,
                name: try row.decode(String.self, forColumn: "name"),
                description: try row.decode(String.self, forColumn: "description"),
                category: try row.decode(String.self, forColumn: "category"),
                type: try value(row, "type", of: localpart),
                privacy: try value(row, "privacy", of: localpart),
                invitations: try value(row, "invitations", of: localpart),
                disabled: try row.decode(Bool.self, forColumn: "disabled"),
                addIn: try row.decode(String?.self, forColumn: "add_in"),
                subject: try row.decode(String.self, forColumn: "subject"),
                createdBy: try row.decode(String?.self, forColumn: "created_by"),
                subjectAuthor: try row.decode(String?.self, forColumn: "subject_author"))
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT room, role, principal FROM chat_room_roles ORDER BY room, role, position
            """) {
            let localpart = try row.decode(String.self, forColumn: "room")
            let principal = try self.principal(row)
            // The Banned list shares the roles table (role 'banned'); it is no RoomRole.
            if try row.decode(String.self, forColumn: "role") == ChatDirectoryWriter.bannedRole {
                rooms[localpart]?.banned.append(principal)
                continue
            }
            switch try value(row, "role", of: localpart) as RoomRole {
            case .member: rooms[localpart]?.members.append(principal)
            case .manager: rooms[localpart]?.managers.append(principal)
            case .presenter: rooms[localpart]?.presenters.append(principal)
            }
        }
        return rooms
    }

    private static func addIns(_ db: Database) throws -> [String: AddIn] {
        var addIns: [String: AddIn] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, name, url FROM chat_addins") {
            addIns[try row.decode(String.self, forColumn: "key")] = AddIn(
                name: try row.decode(String.self, forColumn: "name"),
                url: try row.decode(String.self, forColumn: "url"))
        }
        return addIns
    }

    private static func groups(_ db: Database) throws -> [String: Set<String>] {
        var groups: [String: Set<String>] = [:]
        for name in try String.fetchAll(db, sql: "SELECT name FROM chat_groups") {
            groups[name] = []
        }
        for row in try Row.fetchAll(db, sql: "SELECT group_name, member FROM chat_group_members") {
            groups[try row.decode(String.self, forColumn: "group_name")]?
                .insert(try row.decode(String.self, forColumn: "member"))
        }
        return groups
    }

    /// Until the settings are first saved, the model's defaults apply.
    private static func policyAndSettings(_ db: Database) throws -> (ChatPolicy, ServiceSettings) {
        var policy = ChatPolicy()
        for row in try Row.fetchAll(db, sql: "SELECT user, enabled FROM chat_policy") {
            policy.overrides[try row.decode(String.self, forColumn: "user")] = try row.decode(Bool.self, forColumn: "enabled")
        }
        guard let row = try Row.fetchOne(db, sql: """
            SELECT default_chat_history, max_file_size_kb, participant_update_limit, room_management_url, policy_enabled,
                   max_rooms_per_creator
            FROM chat_settings WHERE id = 1
            """) else {
            return (policy, ServiceSettings())
        }
        policy.globalEnabled = try row.decode(Bool.self, forColumn: "policy_enabled")
        let settings = ServiceSettings(
            defaultChatHistory: try row.decode(Int.self, forColumn: "default_chat_history"),
            maxFileSizeKB: try row.decode(Int.self, forColumn: "max_file_size_kb"),
            participantUpdateLimit: try row.decode(Int.self, forColumn: "participant_update_limit"),
            roomManagementURL: try row.decode(String.self, forColumn: "room_management_url"),
            maxRoomsPerCreator: try row.decode(Int.self, forColumn: "max_rooms_per_creator"))
        return (policy, settings)
    }

    // MARK: - Values

    private static func principal(_ row: Row) throws -> Principal {
        let text = try row.decode(String.self, forColumn: "principal")
        do {
            return try Principal(text)
        } catch {
            throw corrupt("stored principal '\(text.prefix(64))' is malformed: \(error)")
        }
    }

    private static func value<Value: RawRepresentable>(_ row: Row, _ column: String, of room: String) throws -> Value
    where Value.RawValue == String {
        let text = try row.decode(String.self, forColumn: column)
        guard let value = Value(rawValue: text) else {
            throw corrupt("room \(room) has an unknown \(column) '\(text.prefix(64))'")
        }
        return value
    }

    private static func corrupt(_ message: String) -> StoreError {
        StoreError(.other, "corrupt chat directory: \(message)")
    }
}

/// The principal lists of a category, as stored in chat_category_principals.list.
enum PrincipalList: String, CaseIterable {
    case allowed, denied, creator
}
