import Foundation

/// The parts of a service export (`salon export --level`). `all` is every part; each other
/// level is one part and exports and imports alone.
public enum ExportLevel: String, CaseIterable, Sendable, Codable {
    case all, principals, categories, rooms, content

    /// The parts a list of levels covers (empty: all).
    public static func parts(_ levels: [ExportLevel]) -> Set<ExportLevel> {
        let parts = Set(levels)
        return parts.isEmpty || parts.contains(.all) ? [.principals, .categories, .rooms, .content] : parts
    }
}

/// What to export: the parts, only some categories (their rooms and those rooms' content), and
/// content from a date on.
public struct ExportOptions: Sendable {
    public var levels: [ExportLevel]
    public var categories: [String]
    public var since: Date?

    public init(levels: [ExportLevel] = [.all], categories: [String] = [], since: Date? = nil) {
        self.levels = levels
        self.categories = categories
        self.since = since
    }
}

/// The names of an export's members and the version of its format (docs/EXPORT-FORMAT.md).
public enum ExportFormat {
    public static let name = "salon-service-export"
    public static let version = 1

    static let manifest = "manifest.json"
    /// XEP-0227: accounts, SCRAM credentials, rosters.
    static let users = "users.xml"
    /// Groups, administrators, policy.
    static let principals = "principals.json"
    /// Service settings, categories, add-ins.
    static let categories = "categories.json"
    /// Rooms with their settings and roles.
    static let rooms = "rooms.json"
    /// Room messages, one JSON object a line, room by room in archive order.
    static let messages = "messages.jsonl"
    /// Accounts' own archives (XEP-0313 on their bare JIDs), one JSON object a line.
    static let personalMessages = "personal-messages.jsonl"
    /// Uploaded files' records, one JSON object a line; the bytes are `files/<id>`.
    static let files = "files.jsonl"
    static let fileDirectory = "files/"
    /// The compliance journal, one row a line in sequence order, hashes as stored.
    static let compliance = "compliance.jsonl"

    /// The document members, in the order they are written.
    static let documents = [users, principals, categories, rooms, messages, personalMessages, files, compliance]
}

/// `manifest.json`: what the export holds, and a SHA-256 for every other member.
public struct ExportManifest: Codable, Sendable, Hashable {
    public struct Member: Codable, Sendable, Hashable {
        public var path: String
        public var bytes: Int64
        public var sha256: String
        /// Records in the member (accounts, rooms, messages…); nil for a file's bytes.
        public var records: Int?
    }

    public var format: String
    public var version: Int
    public var server: String
    /// When the export was made (ISO 8601, UTC).
    public var created: String
    public var levels: [ExportLevel]
    public var categories: [String]
    public var since: String?
    public var members: [Member]
}
