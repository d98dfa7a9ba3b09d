/// The whole persistent-chat state of one service: what every decision reads. A value:
/// the server swaps in a new one after each change; the rules operate on it without I/O.
public struct ChatDirectory: Sendable, Hashable, Codable {
    /// By lowercased name.
    public var categories: [String: Category]
    /// By room localpart.
    public var rooms: [String: Room]
    /// By lowercased name.
    public var addIns: [String: AddIn]
    /// Server-side groups: lowercased name → member bare JIDs.
    public var groups: [String: Set<String>]
    /// Persistent-chat administrators (bare JIDs).
    public var administrators: Set<String>
    /// Server administrators (bare JIDs): accounts, sessions, announcements, and every chat right.
    /// Disjoint from `administrators`: a user holds one role.
    public var serverAdministrators: Set<String>
    public var policy: ChatPolicy
    public var settings: ServiceSettings

    public init(categories: [String: Category] = [:], rooms: [String: Room] = [:], addIns: [String: AddIn] = [:],
                groups: [String: Set<String>] = [:], administrators: Set<String> = [],
                serverAdministrators: Set<String> = [], policy: ChatPolicy = ChatPolicy(),
                settings: ServiceSettings = ServiceSettings()) {
        self.categories = categories
        self.rooms = rooms
        self.addIns = addIns
        self.groups = groups
        self.administrators = administrators
        self.serverAdministrators = serverAdministrators
        self.policy = policy
        self.settings = settings
    }
}
