import ArgumentParser
import Configuration
import Foundation
import SalonAdmin
import SalonStore

/// `salon user …`: account administration, safe while the server runs (SQLite WAL).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage accounts.",
        subcommands: [Add.self, Passwd.self, Delete.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account (prints a generated password when none is given).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "user@domain, or a bare name on the configured domain") var jid: String
        @Option(help: "The password.") var password: String?

        func run() async throws {
            try await withAccounts(common) { accounts in
                let (jid, secret) = try await accounts.add(jid, password: password)
                print(password == nil ? "created \(jid) with password \(secret)" : "created \(jid)")
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an account's password.")
        @OptionGroup var common: CommonOptions
        @Argument var jid: String
        @Option(help: "The new password (generated and printed when omitted).") var password: String?

        func run() async throws {
            try await withAccounts(common) { accounts in
                let (jid, secret) = try await accounts.setPassword(jid, password: password)
                print(password == nil ? "changed the password of \(jid) to \(secret)" : "changed the password of \(jid)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account and its roster and offline messages.")
        @OptionGroup var common: CommonOptions
        @Argument var jid: String

        func run() async throws {
            try await withAccounts(common) { accounts in
                print("deleted \(try await accounts.delete(jid))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await withAccounts(common) { accounts in
                for jid in try await accounts.list() { print(jid) }
            }
        }
    }
}

/// Runs one account command against the configured database.
func withAccounts(_ common: CommonOptions, _ body: (AccountService) async throws -> Void) async throws {
    try await withDatabase(common) { configuration, database in
        try await body(AccountService(database: database, domain: configuration.domain, iterations: configuration.scramIterations))
    }
}
