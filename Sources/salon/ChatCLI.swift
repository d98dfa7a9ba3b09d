import ArgumentParser
import Configuration
import Foundation
import Logging
import PersistentChat
import SalonAdmin
import SalonStore

/// Runs one persistent-chat administration step against the configured database, as the
/// trusted operator. Rule violations exit non-zero with the rule's own message.
func withChat<T: Sendable>(_ common: CommonOptions,
                           _ change: (inout ChatDirectory) throws(ChatRuleError) -> T) async throws -> ChatAdministration.Outcome<T> {
    try await withDatabase(common) { configuration, database in
        // Journaled as the operator when compliance is on.
        let journal = try await ComplianceAdministration(database: database, configuration: configuration, chatDomain: configuration.domain).journal()
        return try await ChatAdministration(database: database).perform(change, journal: journal)
    }
}

/// The configuration a command other than `serve` runs with (flags, environment, file).
func commandConfiguration(_ common: CommonOptions) async throws -> AdminConfiguration {
    do {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let data = common.dataDirectory { flags["paths.data"] = ConfigValue(.string(data), isSecret: false) }
        return try await Settings.load(file: common.config, flags: flags).adminConfiguration()
    } catch {
        throw CleanExit.failure("salon: bad configuration: \(error)")
    }
}

func configuredDataDirectory(_ common: CommonOptions) async throws -> String {
    try await commandConfiguration(common).dataDirectory
}

/// Reads the current directory.
func readChat(_ common: CommonOptions) async throws -> ChatDirectory {
    try await withChatAdministration(common) { try await $0.directory() }
}

func withChatAdministration<T>(_ common: CommonOptions, _ body: (ChatAdministration) async throws -> T) async throws -> T {
    try await withDatabase(common) { _, database in try await body(ChatAdministration(database: database)) }
}

/// Opens the configured database for one command. Every failure exits non-zero with a
/// message: a bad configuration, an unopenable database, or the rule or error the command hit.
func withDatabase<T>(_ common: CommonOptions, _ body: (AdminConfiguration, any StoreBackend) async throws -> T) async throws -> T {
    let configuration = try await commandConfiguration(common)
    let database: any StoreBackend
    do {
        if case .sqlite = configuration.storage {
            try DataDirectory.requireExistingDatabase(in: configuration.dataDirectory)
        }
        database = try await configuration.storage.open(dataDirectory: configuration.dataDirectory, logger: commandStoreLogger)
    } catch let error as DataDirectoryError {
        throw CleanExit.failure("salon: \(error)")
    } catch {
        throw CleanExit.failure("salon: cannot open the database (\(configuration.storage.location(dataDirectory: configuration.dataDirectory))): \(error)")
    }
    do {
        let result = try await OperatorPrincipals.$userDomain.withValue(configuration.domain) { try await body(configuration, database) }
        try? await database.shutdown()
        return result
    } catch {
        try? await database.shutdown()
        throw commandFailure(error)
    }
}

/// The store's own log lines during a command: warnings and worse, on standard error.
private let commandStoreLogger: Logger = {
    var logger = Logger(label: "salon.store")
    logger.logLevel = .warning
    return logger
}()

/// What a command's failure prints: the rule or error it hit, as a clean non-zero exit.
private func commandFailure(_ error: any Error) -> any Error {
    switch error {
    case let error as ChatRuleError: CleanExit.failure("salon: \(error.message)")
    case let error as AccountService.Failure: CleanExit.failure("salon: \(error.description)")
    case let exit as ExitCode: exit
    default: CleanExit.failure("salon: \(error)")
    }
}

/// `on`/`off` (also true/false, yes/no) for option values.
struct Switch: ExpressibleByArgument {
    let value: Bool
    init?(argument: String) {
        switch argument.lowercased() {
        case "on", "true", "yes", "1": value = true
        case "off", "false", "no", "0": value = false
        default: return nil
        }
    }
}

extension RoomPrivacy: ExpressibleByArgument {}
extension RoomType: ExpressibleByArgument {}
extension RoomInvitations: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "inherit": self = .inherit
        case "off", "false": self = .off
        default: return nil
        }
    }
}

/// Principals as the operator writes them: `bob` is bob@<domain>, as for `salon user add bob`.
enum OperatorPrincipals {
    @TaskLocal static var userDomain: String?

    static func list(_ texts: [String]) throws(ChatRuleError) -> [Principal] {
        try Principal.list(texts, userDomain: userDomain)
    }
}
