import ArgumentParser

@main
struct Salon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salon",
        abstract: "Salon: persistent group chat over XMPP.",
        subcommands: [Serve.self, Init.self, UserCommand.self, CategoryCommand.self, RoomCommand.self, AddInCommand.self,
                      GroupCommand.self, AdminCommand.self, PolicyCommand.self, ConfigCommand.self, MessageCommand.self,
                      FileCommand.self, ComplianceCommand.self, ExportCommand.self, ImportCommand.self, StorageCommand.self,
                      ClusterCommand.self]
    )

    /// ArgumentParser's own entry point, after a check that names a mistyped subcommand.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let problem = UnknownSubcommand.problem(in: arguments, root: Salon.self) {
            exit(withError: ValidationError(problem))
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML). Default: Config/salon.yaml when it exists, else built-in defaults.")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "Data directory (the SQLite database). Default: ./data")
    var dataDirectory: String?
}
