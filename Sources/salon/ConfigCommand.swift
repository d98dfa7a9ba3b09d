import ArgumentParser
import PersistentChat

/// `salon config show|set KEY VALUE`: the service-wide persistent-chat configuration (design §5).
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Service configuration: DefaultChatHistory, MaxFileSizeKB, ParticipantUpdateLimit, RoomManagementUrl.",
        subcommands: [Show.self, Set.self])

    struct Show: AsyncParsableCommand {
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try await readChat(common).settings
            print("""
            DefaultChatHistory     \(settings.defaultChatHistory)
            MaxFileSizeKB          \(settings.maxFileSizeKB)
            ParticipantUpdateLimit \(settings.participantUpdateLimit)
            RoomManagementUrl      \(settings.roomManagementURL)
            """)
        }
    }

    struct Set: AsyncParsableCommand {
        @OptionGroup var common: CommonOptions
        @Argument(help: "DefaultChatHistory, MaxFileSizeKB, ParticipantUpdateLimit or RoomManagementUrl") var key: String
        @Argument var value: String

        func run() async throws {
            let key = key.lowercased(), value = value
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                var failure: ChatRuleError?
                try directory.updateSettings(by: .system) { settings in
                    func number() -> Int? {
                        guard let n = Int(value) else { failure = ChatRuleError(.invalid, "\(value) is not a whole number."); return nil }
                        return n
                    }
                    switch key {
                    case "defaultchathistory": if let n = number() { settings.defaultChatHistory = n }
                    case "maxfilesizekb": if let n = number() { settings.maxFileSizeKB = n }
                    case "participantupdatelimit": if let n = number() { settings.participantUpdateLimit = n }
                    case "roommanagementurl": settings.roomManagementURL = value
                    default: failure = ChatRuleError(.invalid, "Unknown setting \(key).")
                    }
                }
                if let failure { throw failure }
            }
            print("set \(self.key) to \(value)")
        }
    }
}
