import ArgumentParser
import SalonAdmin
import SalonStore

/// `salon-accounts`: creates the bench accounts straight in a Salon data directory (or the
/// PostgreSQL database a server on `storage.backend: postgresql` uses), with the same code as
/// `salon user add` but in one process (a thousand `salon user add` processes take a minute on
/// two cores).
struct SalonAccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salon-accounts", abstract: "Provision accounts 1…N in a Salon data directory or PostgreSQL database (Salon only).")

    @Option(help: "Salon's data directory (SQLite).") var dataDir: String?
    @Option(help: "Salon's PostgreSQL database instead (storage.postgresql.url, ?schema= included).") var postgresql: String?
    @Option(help: "XMPP domain.") var domain = "localhost"
    @Option(help: "Account name pattern; %d is the account number.") var user = "bench%d"
    @Option(help: "Password pattern; %d is the account number.") var password = "bench%d"
    @Option(help: "Accounts to create (1…N).") var count = 1000
    @Option(help: "SCRAM iterations (Salon's scram.iterations).") var iterations = 4096

    func validate() throws {
        guard (dataDir == nil) != (postgresql == nil) else { throw ValidationError("give --data-dir or --postgresql") }
    }

    func run() async throws {
        let stopwatch = Stopwatch()
        let database: any StoreBackend
        if let postgresql {
            database = try await PostgresBackend.open(try PostgresConfiguration(url: postgresql))
        } else {
            database = try SalonDatabase(directory: dataDir ?? "")
        }
        let accounts = AccountService(database: database, domain: domain, iterations: iterations)
        var created = 0
        for index in 1...max(count, 1) {
            let name = Target.name(user, index)
            if try await database.accounts.exists(jid: accounts.accountJID(name).description) { continue }
            _ = try await accounts.add(name, password: Target.name(password, index))
            created += 1
        }
        try await database.shutdown()
        Report.print("salon-accounts", Report.format("%d accounts created (%d existed) in %.2f s", created, count - created, stopwatch.seconds),
                     [("created", Double(created)), ("existing", Double(count - created))])
    }
}
