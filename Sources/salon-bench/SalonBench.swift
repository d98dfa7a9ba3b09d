import ArgumentParser

@main
struct SalonBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salon-bench",
        abstract: "Load scenarios against any XMPP server over loopback (Salon, Prosody, ejabberd).",
        subcommands: [LoginScenario.self, ArchiveScenario.self])
}

/// Where the server is and how to reach it.
struct Target: ParsableArguments {
    @Option(help: "Server address (loopback only).") var host = "127.0.0.1"
    @Option(help: "Client port.") var port = 5222
    @Option(help: "XMPP domain.") var domain = "localhost"
    @Option(help: "plain, starttls or tls (direct TLS).") var security = "starttls"
    @Option(help: "Account name pattern; %d is the account number.") var user = "bench%d"
    @Option(help: "Password pattern; %d is the account number.") var password = "bench%d"
    @Option(help: "SASL mechanism (default: the strongest offered).") var mechanism: String?

    func validate() throws {
        guard host == "localhost" || host == "::1" || host.hasPrefix("127.") else {
            throw ValidationError("salon-bench only targets loopback addresses")
        }
        guard ["plain", "starttls", "tls"].contains(security) else { throw ValidationError("--security is plain, starttls or tls") }
    }

    static func name(_ pattern: String, _ index: Int) -> String {
        pattern.replacingOccurrences(of: "%d", with: String(index))
    }
}
