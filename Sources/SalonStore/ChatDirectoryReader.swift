import GRDB
import PersistentChat

/// Reads the stored chat directory back into the model, refusing rows it cannot understand.
/// The queries are the same on both backends: each runs `queries` in one snapshot and hands
/// the rows to `directory(from:)`.
enum ChatDirectoryReader {
    /// The directory's queries, in the order `directory(from:)` takes their rows. Lists come
    /// back in their stored order.
    static let queries = [
        "SELECT key, name, description, invitations, file_upload, chat_history FROM chat_categories",
        "SELECT category, list, principal FROM chat_category_principals ORDER BY category, list, position",
        """
        SELECT localpart, name, description, category, type, privacy, invitations, disabled, add_in, subject, created_by,
            subject_author
        FROM chat_rooms
        """,
        "SELECT room, role, principal FROM chat_room_roles ORDER BY room, role, position",
        "SELECT key, name, url FROM chat_addins",
        "SELECT name FROM chat_groups",
        "SELECT group_name, member FROM chat_group_members",
        "SELECT jid, role FROM chat_admins",
        #"SELECT "user", enabled FROM chat_policy"#,
        """
        SELECT default_chat_history, max_file_size_kb, participant_update_limit, room_management_url, policy_enabled,
               max_rooms_per_creator
        FROM chat_settings WHERE id = 1
        """,
    ]

    /// The revision counter the migration created.
    static let revisionQuery = "SELECT revision FROM chat_revision WHERE id = 1"

    /// The whole directory on SQLite, read inside the caller's transaction (one consistent snapshot).
    static func load(_ db: Database) throws -> ChatDirectory {
        try directory(from: try queries.map { try db.chatRows($0) })
    }

    /// The revision counter on SQLite.
    static func revision(_ db: Database) throws -> Int64 {
        guard let revision = try Int64.fetchOne(db, sql: revisionQuery) else { throw missingRevision }
        return revision
    }

    static let missingRevision = StoreError(.other, "the chat revision row is missing")

    /// The directory from the rows of `queries`, one array per query in that order.
    static func directory(from results: [[ChatSQLRow]]) throws -> ChatDirectory {
        guard results.count == queries.count else { throw corrupt("\(results.count) results for \(queries.count) queries") }
        let (policy, settings) = try policyAndSettings(results[8], results[9])
        let roles = try results[7].map { row in (try row.text(0), try row.text(1)) }
        return ChatDirectory(
            categories: try categories(results[0], results[1]),
            rooms: try rooms(results[2], results[3]),
            addIns: try addIns(results[4]),
            groups: try groups(results[5], results[6]),
            administrators: Set(roles.filter { $0.1 == AdministratorRole.chat.rawValue }.map(\.0)),
            serverAdministrators: Set(roles.filter { $0.1 == AdministratorRole.server.rawValue }.map(\.0)),
            policy: policy,
            settings: settings)
    }

    private static func categories(_ rows: [ChatSQLRow], _ principalRows: [ChatSQLRow]) throws -> [String: Category] {
        var categories: [String: Category] = [:]
        for row in rows {
            categories[try row.text(0)] = Category(
                name: try row.text(1), description: try row.text(2),
                invitations: try row.bool(3), fileUpload: try row.bool(4), chatHistory: try row.bool(5))
        }
        for row in principalRows {
            let key = try row.text(0)
            let principal = try self.principal(try row.text(2))
            switch try row.text(1) {
            case PrincipalList.allowed.rawValue: categories[key]?.allowed.append(principal)
            case PrincipalList.denied.rawValue: categories[key]?.denied.append(principal)
            case PrincipalList.creator.rawValue: categories[key]?.creators.append(principal)
            case let list: throw corrupt("category \(key) has an unknown principal list '\(list)'")
            }
        }
        return categories
    }

    private static func rooms(_ rows: [ChatSQLRow], _ roleRows: [ChatSQLRow]) throws -> [String: Room] {
        var rooms: [String: Room] = [:]
        for row in rows {
            let localpart = try row.text(0)
            rooms[localpart] = Room(
                localpart: localpart,
                name: try row.text(1),
                description: try row.text(2),
                category: try row.text(3),
                type: try value(row.text(4), "type", of: localpart),
                privacy: try value(row.text(5), "privacy", of: localpart),
                invitations: try value(row.text(6), "invitations", of: localpart),
                disabled: try row.bool(7),
                addIn: try row.optionalText(8),
                subject: try row.text(9),
                createdBy: try row.optionalText(10),
                subjectAuthor: try row.optionalText(11))
        }
        for row in roleRows {
            let localpart = try row.text(0)
            let role = try row.text(1)
            let principal = try self.principal(try row.text(2))
            // The Banned list shares the roles table (role 'banned'); it is no RoomRole.
            if role == ChatDirectoryWriter.bannedRole {
                rooms[localpart]?.banned.append(principal)
                continue
            }
            switch try value(role, "role", of: localpart) as RoomRole {
            case .member: rooms[localpart]?.members.append(principal)
            case .manager: rooms[localpart]?.managers.append(principal)
            case .presenter: rooms[localpart]?.presenters.append(principal)
            }
        }
        return rooms
    }

    private static func addIns(_ rows: [ChatSQLRow]) throws -> [String: AddIn] {
        var addIns: [String: AddIn] = [:]
        for row in rows {
            addIns[try row.text(0)] = AddIn(name: try row.text(1), url: try row.text(2))
        }
        return addIns
    }

    private static func groups(_ rows: [ChatSQLRow], _ memberRows: [ChatSQLRow]) throws -> [String: Set<String>] {
        var groups: [String: Set<String>] = [:]
        for row in rows {
            groups[try row.text(0)] = []
        }
        for row in memberRows {
            groups[try row.text(0)]?.insert(try row.text(1))
        }
        return groups
    }

    /// Until the settings are first saved, the model's defaults apply.
    private static func policyAndSettings(_ policyRows: [ChatSQLRow], _ settingsRows: [ChatSQLRow]) throws -> (ChatPolicy, ServiceSettings) {
        var policy = ChatPolicy()
        for row in policyRows {
            policy.overrides[try row.text(0)] = try row.bool(1)
        }
        guard let row = settingsRows.first else {
            return (policy, ServiceSettings())
        }
        policy.globalEnabled = try row.bool(4)
        let settings = ServiceSettings(
            defaultChatHistory: try row.integer(0),
            maxFileSizeKB: try row.integer(1),
            participantUpdateLimit: try row.integer(2),
            roomManagementURL: try row.text(3),
            maxRoomsPerCreator: try row.integer(5))
        return (policy, settings)
    }

    // MARK: - Values

    private static func principal(_ text: String) throws -> Principal {
        do {
            return try Principal(text)
        } catch {
            throw corrupt("stored principal '\(text.prefix(64))' is malformed: \(error)")
        }
    }

    private static func value<Value: RawRepresentable>(_ text: String, _ column: String, of room: String) throws -> Value
    where Value.RawValue == String {
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
