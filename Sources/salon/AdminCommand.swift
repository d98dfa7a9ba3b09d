import ArgumentParser
import PersistentChat
import SalonAdmin

/// `salon admin …`: administrators — `chat` runs the chat service, `server` also accounts,
/// sessions and announcements.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Manage administrators (roles: chat, server).", subcommands: [Add.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a user an administrator, or change their role.")
        @OptionGroup var common: CommonOptions
        @Argument var jid: String
        @Option(help: "chat (persistent chat) or server (also users, sessions, announcements).") var role: AdministratorRole = .chat

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.addAdministrator(jid.lowercased(), role: role, by: .system)
            }
            print("\(jid) is a \(role.title)")
        }
    }

    struct Remove: AsyncParsableCommand {
        @OptionGroup var common: CommonOptions
        @Argument var jid: String

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.removeAdministrator(jid.lowercased(), by: .system)
            }
            print("\(jid) is no longer an administrator")
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let directory = try await readChat(common)
            for admin in directory.administrators.union(directory.serverAdministrators).sorted() {
                print("\(admin)\t\(directory.administratorRole(of: admin)?.rawValue ?? "")")
            }
        }
    }
}

extension AdministratorRole: ExpressibleByArgument {
    var title: String { self == .server ? "server administrator" : "persistent-chat administrator" }
}

/// `salon policy set (--global | JID) on|off`: who may use persistent chat at all.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Who may use persistent chat.", subcommands: [Set.self, Clear.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the global default (--global) or one user's policy.")
        @OptionGroup var common: CommonOptions
        @Flag var global = false
        @Argument(help: "JID (omit with --global), then on or off.") var arguments: [String]

        func validate() throws {
            guard arguments.count == (global ? 1 : 2), Switch(argument: arguments.last ?? "") != nil else {
                throw ValidationError("usage: salon policy set (--global | JID) on|off")
            }
        }

        func run() async throws {
            let enabled = Switch(argument: arguments.last!)!.value
            let user = global ? nil : arguments[0].lowercased()
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.setPolicy(user: user, enabled: enabled, by: .system)
            }
            print("persistent chat is \(ChatReport.onOff(enabled)) for \(user ?? "everyone by default")")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one user's override.")
        @OptionGroup var common: CommonOptions
        @Argument var jid: String

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.setPolicy(user: jid.lowercased(), enabled: nil, by: .system)
            }
            print("\(jid) follows the global policy")
        }
    }

    struct Show: AsyncParsableCommand {
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let policy = try await readChat(common).policy
            print("global: \(ChatReport.onOff(policy.globalEnabled))")
            for (user, enabled) in policy.overrides.sorted(by: { $0.key < $1.key }) { print("\(user): \(ChatReport.onOff(enabled))") }
        }
    }
}
