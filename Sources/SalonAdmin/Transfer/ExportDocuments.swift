import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// The JSON documents of an export, shaped for a person to read: principals as written on the
/// command line (`user@domain`, `group:NAME`, `domain:NAME`), lists sorted, dates in ISO 8601.

/// `principals.json`.
struct PrincipalsDocument: Codable, Hashable {
    var groups: [String: [String]]
    var administrators: [String]
    var serverAdministrators: [String]
    var policy: PolicyDocument

    struct PolicyDocument: Codable, Hashable {
        var enabled: Bool
        var overrides: [String: Bool]
    }
}

/// `categories.json`.
struct CategoriesDocument: Codable, Hashable {
    var settings: ServiceSettings
    var categories: [CategoryDocument]
    var addIns: [AddIn]
}

struct CategoryDocument: Codable, Hashable {
    var name: String
    var description: String
    var allowed: [String]
    var denied: [String]
    var creators: [String]
    var invitations: Bool
    var fileUpload: Bool
    var chatHistory: Bool
}

/// `rooms.json`.
struct RoomsDocument: Codable, Hashable {
    var rooms: [RoomDocument]
}

struct RoomDocument: Codable, Hashable {
    var address: String
    var name: String
    var description: String
    var category: String
    var type: RoomType
    var privacy: RoomPrivacy
    var invitations: RoomInvitations
    var disabled: Bool
    var addIn: String?
    var members: [String]
    var managers: [String]
    var presenters: [String]
    var banned: [String]
    var subject: String
    var subjectAuthor: String?
    var createdBy: String?
}

/// One line of `messages.jsonl`.
struct MessageDocument: Codable, Hashable {
    var room: String
    var stanzaId: String
    var time: String
    var sender: String
    var nick: String
    var occupantId: String
    var body: String
    var subject: String?
    var alert: Bool
    var retracted: Bool
    /// The message as archived (what join history and MAM send).
    var stanza: String
}

/// One line of `personal-messages.jsonl`.
struct PersonalMessageDocument: Codable, Hashable {
    var owner: String
    var stanzaId: String
    /// The correspondent as the message named it (full or bare).
    var with: String
    var outgoing: Bool
    var time: String
    var body: String
    var stanza: String
}

/// One line of `files.jsonl`.
struct FileDocument: Codable, Hashable {
    var id: String
    var room: String
    var stanzaId: String
    var uploader: String
    var name: String
    var size: Int64
    var contentType: String
    var sha256: String?
    var created: String
    var expires: String
    var completed: String?
}

/// A document that could not be read, named for the error message.
struct ExportDocumentError: Error, CustomStringConvertible {
    let description: String
}

enum ExportDocuments {
    static func principals(of part: DirectoryPart) -> PrincipalsDocument {
        PrincipalsDocument(
            groups: (part.groups ?? [:]).mapValues { $0.sorted() },
            administrators: (part.administrators ?? []).sorted(),
            serverAdministrators: (part.serverAdministrators ?? []).sorted(),
            policy: .init(enabled: part.policy?.globalEnabled ?? true, overrides: part.policy?.overrides ?? [:]))
    }

    static func categories(of part: DirectoryPart) -> CategoriesDocument {
        CategoriesDocument(
            settings: part.settings ?? ServiceSettings(),
            categories: (part.categories ?? [:]).values.sorted { $0.name.lowercased() < $1.name.lowercased() }.map { category in
                CategoryDocument(name: category.name, description: category.description, allowed: texts(category.allowed),
                                 denied: texts(category.denied), creators: texts(category.creators),
                                 invitations: category.invitations, fileUpload: category.fileUpload, chatHistory: category.chatHistory)
            },
            addIns: (part.addIns ?? [:]).values.sorted { $0.name.lowercased() < $1.name.lowercased() })
    }

    static func rooms(of part: DirectoryPart) -> RoomsDocument {
        RoomsDocument(rooms: (part.rooms ?? [:]).values.sorted { $0.localpart < $1.localpart }.map { room in
            RoomDocument(address: room.localpart, name: room.name, description: room.description, category: room.category,
                         type: room.type, privacy: room.privacy, invitations: room.invitations, disabled: room.disabled,
                         addIn: room.addIn, members: texts(room.members), managers: texts(room.managers),
                         presenters: texts(room.presenters), banned: texts(room.banned), subject: room.subject,
                         subjectAuthor: room.subjectAuthor, createdBy: room.createdBy)
        })
    }

    /// Adds what `document` holds to `part`.
    static func read(_ document: PrincipalsDocument, into part: inout DirectoryPart) {
        part.groups = document.groups.mapValues { Set($0) }
        part.administrators = Set(document.administrators)
        part.serverAdministrators = Set(document.serverAdministrators)
        part.policy = ChatPolicy(globalEnabled: document.policy.enabled, overrides: document.policy.overrides)
    }

    static func read(_ document: CategoriesDocument, into part: inout DirectoryPart) throws {
        part.settings = document.settings
        var categories: [String: Category] = [:]
        for category in document.categories {
            categories[category.name.lowercased()] = Category(
                name: category.name, description: category.description, allowed: try principals(category.allowed),
                denied: try principals(category.denied), creators: try principals(category.creators),
                invitations: category.invitations, fileUpload: category.fileUpload, chatHistory: category.chatHistory)
        }
        part.categories = categories
        part.addIns = Dictionary(document.addIns.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func read(_ document: RoomsDocument, into part: inout DirectoryPart) throws {
        var rooms: [String: Room] = [:]
        for room in document.rooms {
            rooms[room.address] = Room(
                localpart: room.address, name: room.name, description: room.description, category: room.category,
                type: room.type, privacy: room.privacy, invitations: room.invitations, disabled: room.disabled,
                addIn: room.addIn, members: try principals(room.members), managers: try principals(room.managers),
                presenters: try principals(room.presenters), subject: room.subject, createdBy: room.createdBy,
                banned: try principals(room.banned), subjectAuthor: room.subjectAuthor)
        }
        part.rooms = rooms
    }

    static func message(_ message: StoredMessage) -> MessageDocument {
        MessageDocument(room: message.room, stanzaId: message.stanzaID, time: Timestamps.format(message.timestamp),
                        sender: message.senderJID, nick: message.nick, occupantId: message.occupantID, body: message.body,
                        subject: message.subject, alert: message.alert, retracted: message.retracted, stanza: message.stanza)
    }

    static func message(_ document: MessageDocument) throws -> StoredMessage {
        StoredMessage(room: document.room, stanzaID: document.stanzaId, senderJID: document.sender, nick: document.nick,
                      occupantID: document.occupantId, timestamp: try Timestamps.parse(document.time, "message time"),
                      body: document.body, subject: document.subject, alert: document.alert, retracted: document.retracted,
                      stanza: document.stanza)
    }

    static func personal(_ message: PersonalMessage) -> PersonalMessageDocument {
        PersonalMessageDocument(owner: message.owner, stanzaId: message.stanzaID, with: message.with, outgoing: message.outgoing,
                                time: Timestamps.format(message.timestamp), body: message.body, stanza: message.stanza)
    }

    static func personal(_ document: PersonalMessageDocument) throws -> PersonalMessage {
        PersonalMessage(owner: document.owner, stanzaID: document.stanzaId, with: document.with, outgoing: document.outgoing,
                        timestamp: try Timestamps.parse(document.time, "personal message time"), body: document.body,
                        stanza: document.stanza)
    }

    static func file(_ file: FileRecord) -> FileDocument {
        FileDocument(id: file.id, room: file.room ?? "", stanzaId: file.stanzaID ?? "", uploader: file.uploader, name: file.name,
                     size: file.size, contentType: file.contentType, sha256: file.sha256, created: Timestamps.format(file.created),
                     expires: Timestamps.format(file.expires), completed: file.completed.map(Timestamps.format))
    }

    static func file(_ document: FileDocument) throws -> FileRecord {
        FileRecord(id: document.id, uploader: document.uploader, name: document.name, size: document.size,
                   contentType: document.contentType, created: try Timestamps.parse(document.created, "file creation time"),
                   expires: try Timestamps.parse(document.expires, "file expiry time"),
                   completed: try document.completed.map { try Timestamps.parse($0, "file completion time") },
                   sha256: document.sha256, room: document.room, stanzaID: document.stanzaId)
    }

    private static func texts(_ principals: [Principal]) -> [String] { principals.map(\.description) }

    private static func principals(_ texts: [String]) throws -> [Principal] {
        try texts.map { text in
            do { return try Principal(text) } catch let error as ChatRuleError { throw ExportDocumentError(description: error.message) }
        }
    }
}

/// XEP-0082 times (UTC with milliseconds, as the archive keeps them); a plain date is read as
/// its midnight UTC (`--since 2026-01-31`).
public enum Timestamps {
    public static func format(_ date: Date) -> String { Timestamp.format(date) }

    public static func parse(_ text: String, _ what: String) throws -> Date {
        if let date = Timestamp.parse(text) ?? Timestamp.parse(text + "T00:00:00Z") {
            return date
        }
        throw ExportDocumentError(description: "\(what) '\(text.prefix(64))' is not an ISO 8601 date")
    }
}
