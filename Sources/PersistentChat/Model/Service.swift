/// A registered add-in (design §4): a web page a client may show beside the room.
public struct AddIn: Sendable, Hashable, Codable {
    /// ≤ 50 characters, unique case-insensitively.
    public var name: String
    /// http or https, ≤ 255 characters.
    public var url: String

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

/// The service-wide configuration record (design §5).
public struct ServiceSettings: Sendable, Hashable, Codable {
    /// 1–500: messages shown on joining, and kept in memory per active room.
    public var defaultChatHistory: Int
    public var maxFileSizeKB: Int
    /// Above this many occupants, join/leave presence is no longer broadcast.
    public var participantUpdateLimit: Int
    /// Advertised to clients; empty for none.
    public var roomManagementURL: String
    /// Rooms one user may create unless an administrator; 0 for no limit.
    public var maxRoomsPerCreator: Int

    public init(defaultChatHistory: Int = 30, maxFileSizeKB: Int = 20_000, participantUpdateLimit: Int = 75,
                roomManagementURL: String = "", maxRoomsPerCreator: Int = 100) {
        self.defaultChatHistory = defaultChatHistory
        self.maxFileSizeKB = maxFileSizeKB
        self.participantUpdateLimit = participantUpdateLimit
        self.roomManagementURL = roomManagementURL
        self.maxRoomsPerCreator = maxRoomsPerCreator
    }
}

/// Whether users may use persistent chat at all: a global default and per-user overrides.
public struct ChatPolicy: Sendable, Hashable, Codable {
    public var globalEnabled: Bool
    /// Bare JID → enabled.
    public var overrides: [String: Bool]

    public init(globalEnabled: Bool = true, overrides: [String: Bool] = [:]) {
        self.globalEnabled = globalEnabled
        self.overrides = overrides
    }
}
