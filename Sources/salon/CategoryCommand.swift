import ArgumentParser
import PersistentChat
import SalonAdmin

/// `salon category …`: categories and the policy they set (design §2).
struct CategoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "category", abstract: "Manage categories.",
        subcommands: [Create.self, Set.self, Show.self, List.self, Remove.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a category.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Option var description = ""
        @Option(help: "Allowed principal (repeatable): user@domain, group:NAME or a domain.") var allow: [String] = []
        @Option(help: "Denied principal (repeatable); always wins.") var deny: [String] = []
        @Option(help: "Who may create rooms in it (repeatable).") var creator: [String] = []
        @Flag(help: "Let rooms send invitations.") var invitations = false
        @Flag(help: "Let rooms accept files.") var fileUpload = false
        @Flag(help: "Keep no chat history.") var noChatHistory = false

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                let category = Category(name: name, description: description, allowed: try OperatorPrincipals.list(allow),
                                        denied: try OperatorPrincipals.list(deny), creators: try OperatorPrincipals.list(creator),
                                        invitations: invitations, fileUpload: fileUpload, chatHistory: !noChatHistory)
                try directory.createCategory(category, by: .system)
            }
            print("created category \(name)")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a category (lists: --allow adds, --remove-allow removes …).")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Option(name: .customLong("name"), help: "A new name.") var newName: String?
        @Option var description: String?
        @Option var allow: [String] = []
        @Option var removeAllow: [String] = []
        @Option var deny: [String] = []
        @Option var removeDeny: [String] = []
        @Option var creator: [String] = []
        @Option var removeCreator: [String] = []
        @Option(help: "on or off") var invitations: Switch?
        @Option(help: "on or off") var fileUpload: Switch?
        @Option(help: "on or off") var chatHistory: Switch?

        func run() async throws {
            let outcome = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                let change = try edit()
                return try directory.updateCategory(named: name, by: .system) { category in change.apply(to: &category) }
            }
            print("changed category \(newName ?? name)")
            printStripped(outcome.result)
        }

        private func edit() throws(ChatRuleError) -> CategoryEdit {
            var edit = CategoryEdit()
            edit.name = newName
            edit.description = description
            edit.allowed = PrincipalListEdit(adding: try OperatorPrincipals.list(allow), removing: try OperatorPrincipals.list(removeAllow))
            edit.denied = PrincipalListEdit(adding: try OperatorPrincipals.list(deny), removing: try OperatorPrincipals.list(removeDeny))
            edit.creators = PrincipalListEdit(adding: try OperatorPrincipals.list(creator), removing: try OperatorPrincipals.list(removeCreator))
            edit.invitations = invitations?.value
            edit.fileUpload = fileUpload?.value
            edit.chatHistory = chatHistory?.value
            return edit
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a category.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String

        func run() async throws {
            let directory = try await readChat(common)
            guard let category = directory.category(named: name) else { throw CleanExit.failure("salon: there is no category named \(name)") }
            print(ChatReport.text(ChatReport.category(category, in: directory)))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List categories.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            for category in try await readChat(common).categories.values.sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
                print(category.name)
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a category (refused while it has rooms).")
        @OptionGroup var common: CommonOptions
        @Argument var name: String

        func run() async throws {
            _ = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.removeCategory(named: name, by: .system)
            }
            print("removed category \(name)")
        }
    }
}

/// Tells the operator which roles a change removed because they fell out of scope.
func printStripped(_ stripping: RoleStripping) {
    ChatReport.stripped(stripping).forEach { print($0) }
}
