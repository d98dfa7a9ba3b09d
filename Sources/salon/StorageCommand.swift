import ArgumentParser
import Foundation
import Logging
import SalonAdmin
import SalonStore

/// `salon storage migrate --to postgresql URL`: copies the configured SQLite installation into a
/// PostgreSQL database and verifies the copy (README, Storage).
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storage", abstract: "Move the service's data between backends.",
                                                    subcommands: [Migrate.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy this SQLite installation into PostgreSQL, then compare both, kind by kind.",
            discussion: """
                Prepares the database's schema, copies what is not there yet (every table of the SQLite store: \
                accounts, rosters, the directory, both archives through the service import; offline messages, \
                vCards, blocklists, private storage, PEP, push registrations, uploads, downloads, the compliance \
                journal and settings and the rest table by table; the files' bytes stay in the data directory), then \
                prints one line per kind and table: counts and SHA-256 on both sides. Exits non-zero naming the \
                first that differs. It may run while `salon serve` runs on the SQLite file: run it again once the \
                server is stopped, and only what is new is copied.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "The backend to copy to: postgresql.") var to: String
        @Argument(help: "The database: postgresql://user@host[:port]/database") var url: String
        @Option(help: "A file holding the database password (instead of one in the URL).") var passwordFile: String?

        func run() async throws {
            guard to.lowercased() == "postgresql" else { throw CleanExit.failure("salon: --to must be postgresql, not '\(to)'") }
            let configuration = try await commandConfiguration(common)
            guard case .sqlite = configuration.storage else {
                throw CleanExit.failure("salon: this installation is already on PostgreSQL (storage.backend); migrate copies a SQLite one")
            }
            let postgres: PostgresConfiguration
            do {
                postgres = try PostgresConfiguration(url: url, passwordFile: passwordFile)
            } catch let error as StoreError {
                throw CleanExit.failure("salon: \(error.message)")
            }
            do {
                try DataDirectory.requireExistingDatabase(in: configuration.dataDirectory)
            } catch {
                throw CleanExit.failure("salon: \(error)")
            }
            let target: PostgresBackend
            do {
                target = try await PostgresBackend.open(postgres, logger: Self.logger)
            } catch {
                throw CleanExit.failure("salon: cannot open PostgreSQL \(postgres): \(error)")
            }
            let outcome: StorageMigration.Outcome
            do {
                let source = try SalonDatabase(directory: configuration.dataDirectory)
                outcome = try await StorageMigration(source: source, target: target).run()
                try? await source.shutdown()
                await target.shutdown()
            } catch {
                await target.shutdown()
                throw CleanExit.failure("salon: migrate failed: \(error)")
            }
            StorageMigration.copyLines(outcome).forEach { print($0) }
            guard outcome.report.conflicts.isEmpty else { throw ExitCode.failure }
            outcome.lines.forEach { print($0) }
            print("not copied: \(StorageMigration.notCopied.joined(separator: "; "))")
            if let first = outcome.firstMismatch {
                throw CleanExit.failure("salon: \(first) differ between SQLite and PostgreSQL (run migrate again once `salon serve` is stopped)")
            }
            print("verified: PostgreSQL holds what SQLite holds")
        }

        private static let logger: Logger = {
            var logger = Logger(label: "salon.store")
            logger.logLevel = .warning
            return logger
        }()
    }
}
