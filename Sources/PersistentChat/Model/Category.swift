/// A category (design §2): policy for the rooms in it.
public struct Category: Sendable, Hashable, Codable {
    /// Unique per service, case-insensitively; never equal to a room name.
    public var name: String
    public var description: String
    public var allowed: [Principal]
    /// Always wins over `allowed`.
    public var denied: [Principal]
    /// Who may create rooms in it; must lie within the scope.
    public var creators: [Principal]
    /// Off: no room in it sends invitations. On: each room decides (Inherit / False).
    public var invitations: Bool
    public var fileUpload: Bool
    /// Off: messages are not archived for users (no join history, no MAM, no search).
    public var chatHistory: Bool

    public init(name: String, description: String = "", allowed: [Principal] = [], denied: [Principal] = [],
                creators: [Principal] = [], invitations: Bool = false, fileUpload: Bool = false, chatHistory: Bool = true) {
        self.name = name
        self.description = description
        self.allowed = allowed
        self.denied = denied
        self.creators = creators
        self.invitations = invitations
        self.fileUpload = fileUpload
        self.chatHistory = chatHistory
    }
}
