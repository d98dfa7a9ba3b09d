import ArgumentParser
import PersistentChat

/// `salon group …`: server-side groups used as principals (`group:NAME`).
struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Manage groups (principals written group:NAME).",
        subcommands: [Create.self, Add.self, Remove.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group, optionally with members.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Argument(help: "Members (bare JIDs).") var users: [String] = []

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.createGroup(name, by: .system)
                if !users.isEmpty { try directory.addToGroup(name, users: users.map { $0.lowercased() }, by: .system) }
            }
            print("created group \(name)")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add users to a group.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Argument var users: [String]

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.addToGroup(name, users: users.map { $0.lowercased() }, by: .system)
            }
            print("added \(users.joined(separator: ", ")) to group \(name)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove users from a group, or the group itself when no user is named.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Argument var users: [String] = []

        func run() async throws {
            let outcome = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                users.isEmpty
                    ? try directory.removeGroup(name, by: .system)
                    : try directory.removeFromGroup(name, users: users.map { $0.lowercased() }, by: .system)
            }
            print(users.isEmpty ? "removed group \(name)" : "removed \(users.joined(separator: ", ")) from group \(name)")
            printStripped(outcome.result)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups, or one group's members.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String?

        func run() async throws {
            let groups = try await readChat(common).groups
            if let name {
                guard let members = groups[name.lowercased()] else { throw CleanExit.failure("salon: there is no group named \(name)") }
                for member in members.sorted() { print(member) }
            } else {
                for (group, members) in groups.sorted(by: { $0.key < $1.key }) { print("\(group)\t\(members.count) members") }
            }
        }
    }
}
