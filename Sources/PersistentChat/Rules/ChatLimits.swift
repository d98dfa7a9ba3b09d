/// The bounds of every name, text and list the rules accept.
public enum ChatLimits {
    /// Category and room names: 1…256 characters.
    public static let maxNameCharacters = 256
    /// Category and room descriptions.
    public static let maxDescriptionCharacters = 256
    /// Room subjects (not bounded by the design; bounded because every input is).
    public static let maxSubjectCharacters = 1024
    /// Room JID localparts: 1…64 of [a-z0-9._-].
    public static let maxLocalpartLength = 64
    /// Add-in names.
    public static let maxAddInNameCharacters = 50
    /// Add-in URLs.
    public static let maxAddInURLLength = 255
    /// The room-management URL of the settings.
    public static let maxSettingsURLLength = 2048
    /// Principals in one list (allowed, denied, creators, members, managers, presenters).
    public static let maxPrincipalsPerList = 100_000
    /// DefaultChatHistory.
    public static let chatHistoryRange = 1...500
    /// MaxFileSizeKB and ParticipantUpdateLimit (unsigned 32-bit in the original product).
    public static let sizeRange = 1...Int(UInt32.max)
    /// MaxRoomsPerCreator, where 0 means no limit.
    public static let roomQuotaRange = 0...Int(UInt32.max)
}
