import ArgumentParser
import Foundation
import PersistentChat
import SalonAdmin

/// `salon config show|set KEY VALUE`: the service-wide persistent-chat configuration (design §5).
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Service configuration: DefaultChatHistory, MaxFileSizeKB, ParticipantUpdateLimit, RoomManagementUrl, MaxRoomsPerCreator.",
        subcommands: [Show.self, Set.self])

    struct Show: AsyncParsableCommand {
        @OptionGroup var common: CommonOptions

        func run() async throws {
            for line in ChatReport.settings(try await readChat(common).settings) {
                print(line.label.padding(toLength: 23, withPad: " ", startingAt: 0) + line.value)
            }
        }
    }

    struct Set: AsyncParsableCommand {
        @OptionGroup var common: CommonOptions
        @Argument(help: "DefaultChatHistory, MaxFileSizeKB, ParticipantUpdateLimit, RoomManagementUrl or MaxRoomsPerCreator") var key: String
        @Argument var value: String

        func run() async throws {
            let (key, value) = (key, value)
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.updateSettings([(try ServiceSetting(named: key), value)], by: .system)
            }
            print("set \(self.key) to \(value)")
        }
    }
}
