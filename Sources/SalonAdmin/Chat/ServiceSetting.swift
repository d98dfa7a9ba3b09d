import PersistentChat

/// The service-wide settings (design §5) by the names administrators know them by.
public enum ServiceSetting: String, Sendable, CaseIterable {
    case defaultChatHistory = "DefaultChatHistory"
    case maxFileSizeKB = "MaxFileSizeKB"
    case participantUpdateLimit = "ParticipantUpdateLimit"
    case roomManagementURL = "RoomManagementUrl"
    case maxRoomsPerCreator = "MaxRoomsPerCreator"

    /// A setting by name, case-insensitively.
    public init(named name: String) throws(ChatRuleError) {
        guard let setting = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            throw ChatRuleError(.invalid, "Unknown setting \(name.prefix(100)).")
        }
        self = setting
    }

    public func value(in settings: ServiceSettings) -> String {
        switch self {
        case .defaultChatHistory: "\(settings.defaultChatHistory)"
        case .maxFileSizeKB: "\(settings.maxFileSizeKB)"
        case .participantUpdateLimit: "\(settings.participantUpdateLimit)"
        case .roomManagementURL: settings.roomManagementURL
        case .maxRoomsPerCreator: "\(settings.maxRoomsPerCreator)"
        }
    }

    /// Sets the value from text; PersistentChat then checks the ranges.
    public func set(_ value: String, in settings: inout ServiceSettings) throws(ChatRuleError) {
        if self == .roomManagementURL {
            settings.roomManagementURL = value
            return
        }
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
            throw ChatRuleError(.invalid, "\(value.prefix(100)) is not a whole number.")
        }
        switch self {
        case .defaultChatHistory: settings.defaultChatHistory = number
        case .maxFileSizeKB: settings.maxFileSizeKB = number
        case .participantUpdateLimit: settings.participantUpdateLimit = number
        case .maxRoomsPerCreator: settings.maxRoomsPerCreator = number
        case .roomManagementURL: break
        }
    }
}

extension ChatDirectory {
    /// Changes several settings at once, checked together.
    public mutating func updateSettings(_ values: [(ServiceSetting, String)], by actor: ChatActor) throws(ChatRuleError) {
        var proposed = settings
        for (setting, value) in values { try setting.set(value, in: &proposed) }
        try updateSettings(by: actor) { $0 = proposed }
    }
}
