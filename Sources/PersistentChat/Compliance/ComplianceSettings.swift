/// How compliance recording and its exporter run (design §6; persistent chat's
/// PersistentChatComplianceConfiguration). Off by default.
public struct ComplianceSettings: Sendable, Hashable {
    /// Whether events are recorded at all.
    public var enabled = false
    /// Seconds between exporter runs: 15 minutes by default, 1 minute to 30 days.
    public var runInterval = 900
    /// Where the exporter writes its files; relative paths are under the data directory.
    public var outputDirectory = "compliance"
    public var adapter = ComplianceAdapter.xml
    /// One output file per room instead of one per run.
    public var oneChatRoomPerOutputFile = false
    /// Sender id, email and whether the user is of this service.
    public var addUserDetails = false
    /// The room's name, description and category on each conversation.
    public var addChatRoomDetails = false

    public init() {}

    public static let runIntervals = 60...(30 * 86_400)

    /// The settings by the names `salon compliance set` and the ad-hoc command use.
    public static let keys = ["enabled", "run_interval", "output_directory", "adapter",
                              "one_chat_room_per_output_file", "add_user_details", "add_chat_room_details"]

    /// A setting's value as text.
    public func value(of key: String) throws(ChatRuleError) -> String {
        switch key {
        case "enabled": "\(enabled)"
        case "run_interval": "\(runInterval)"
        case "output_directory": outputDirectory
        case "adapter": adapter.rawValue
        case "one_chat_room_per_output_file": "\(oneChatRoomPerOutputFile)"
        case "add_user_details": "\(addUserDetails)"
        case "add_chat_room_details": "\(addChatRoomDetails)"
        default: throw Self.unknown(key)
        }
    }

    /// Sets one setting from text, checked: a run interval in range, a known adapter, a
    /// non-empty directory, booleans as true/false/1/0/yes/no/on/off.
    public mutating func set(_ key: String, to value: String) throws(ChatRuleError) {
        switch key {
        case "enabled": enabled = try Self.flag(value, key)
        case "run_interval":
            guard let seconds = Self.seconds(value), Self.runIntervals.contains(seconds) else {
                throw ChatRuleError(.invalid, "run_interval is 1 minute to 30 days (seconds, or a number with s, m, h or d), not \(value.prefix(40)).")
            }
            runInterval = seconds
        case "output_directory":
            guard !value.isEmpty, value.utf8.count <= 1024 else { throw ChatRuleError(.invalid, "output_directory is 1 to 1024 bytes.") }
            outputDirectory = value
        case "adapter":
            guard let adapter = ComplianceAdapter(rawValue: value.lowercased()) else {
                throw ChatRuleError(.invalid, "adapter is xml or jsonl, not \(value.prefix(40)).")
            }
            self.adapter = adapter
        case "one_chat_room_per_output_file": oneChatRoomPerOutputFile = try Self.flag(value, key)
        case "add_user_details": addUserDetails = try Self.flag(value, key)
        case "add_chat_room_details": addChatRoomDetails = try Self.flag(value, key)
        default: throw Self.unknown(key)
        }
    }

    private static func unknown(_ key: String) -> ChatRuleError {
        ChatRuleError(.invalid, "Unknown compliance setting \(key.prefix(60)); the settings are \(keys.joined(separator: ", ")).")
    }

    private static func flag(_ value: String, _ key: String) throws(ChatRuleError) -> Bool {
        switch value.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ChatRuleError(.invalid, "\(key) is true or false, not \(value.prefix(40)).")
        }
    }

    /// Seconds from "900", "900s", "15m", "2h" or "30d".
    static func seconds(_ text: String) -> Int? {
        guard let last = text.last else { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = units[last] {
            guard let number = Int(text.dropLast()), number >= 0 else { return nil }
            let (total, overflow) = number.multipliedReportingOverflow(by: unit)
            return overflow ? nil : total
        }
        return Int(text)
    }
}

/// The output format: persistent chat's compliance XML, or JSON Lines.
public enum ComplianceAdapter: String, Sendable, Hashable, CaseIterable {
    case xml
    case jsonl
}
