import ArgumentParser
import Configuration
import PersistentChat
import SalonAdmin
import SalonStore

/// `salon compliance show|set|export|verify`: compliance recording (README, Compliance). A
/// change of setting is journaled with the setting; a running server picks it up within seconds.
struct ComplianceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compliance", abstract: "Compliance recording and its export.",
                                                    subcommands: [Show.self, Set.self, Export.self, Verify.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the compliance settings and the journal's size.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            for line in try await withCompliance(common, { try await $0.show() }) { print(line) }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a compliance setting.",
            discussion: "Settings: \(ComplianceSettings.keys.joined(separator: ", ")). It overrides the configuration file's compliance.* key.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The setting.") var key: String
        @Argument(help: "Its value.") var value: String

        func run() async throws {
            let settings = try await withCompliance(common) {
                try await $0.set(key, to: value, by: ComplianceEvent.systemActor)
            }
            print("\(key.lowercased()): \(try settings.value(of: key.lowercased()))")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the events waiting for export.")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Now, rather than at the server's next run.") var now = false

        func validate() throws {
            guard now else { throw ValidationError("say --now: the server exports every run_interval by itself") }
        }

        func run() async throws {
            let outcome = try await withCompliance(common) { try await $0.exportNow() }
            for file in outcome.files { print(file) }
            print("exported \(outcome.events) events in \(outcome.files.count) files")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Walk the journal's hash chain and report the first break.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (intact, report) = try await withCompliance(common) { try await $0.verify() }
            print(report)
            if !intact { throw ExitCode(2) }
        }
    }
}

func withCompliance<T>(_ common: CommonOptions, _ body: (ComplianceAdministration) async throws -> T) async throws -> T {
    let chatDomain = try await chatDomain(common)
    return try await withDatabase(common) { configuration, database in
        try await body(ComplianceAdministration(database: database, configuration: configuration, chatDomain: chatDomain))
    }
}

/// The chat service's domain, as `serve` reads it: `chat.domain`, else chat.<domain>.
private func chatDomain(_ common: CommonOptions) async throws -> String {
    let configuration = try await commandConfiguration(common)
    let settings = try await Settings.load(file: common.config, flags: [:])
    if let chat = settings.reader.string(forKey: "chat.domain"), !chat.isEmpty { return chat }
    return "chat.\(configuration.domain)"
}
