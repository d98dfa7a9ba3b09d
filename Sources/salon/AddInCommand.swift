import ArgumentParser
import PersistentChat

/// `salon addin …`: registered add-ins (design §4).
struct AddInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "addin", abstract: "Manage add-ins.", subcommands: [Create.self, Set.self, List.self, Remove.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an add-in.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Option(help: "http or https URL") var url: String

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.createAddIn(AddIn(name: name, url: url), by: .system)
            }
            print("created add-in \(name)")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an add-in.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Option(name: .customLong("name")) var newName: String?
        @Option var url: String?

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.updateAddIn(named: name, by: .system) { (addIn: inout AddIn) throws(ChatRuleError) in
                    if let newName { addIn.name = newName }
                    if let url { addIn.url = url }
                }
            }
            print("changed add-in \(newName ?? name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List add-ins.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            for addIn in try await readChat(common).addIns.values.sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
                print("\(addIn.name)\t\(addIn.url)")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an add-in (rooms using it lose it).")
        @OptionGroup var common: CommonOptions
        @Argument var name: String

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.removeAddIn(named: name, by: .system)
            }
            print("removed add-in \(name)")
        }
    }
}
