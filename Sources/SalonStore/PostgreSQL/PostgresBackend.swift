import Logging
import PostgresNIO

/// A Salon deployment's storage on PostgreSQL: one connection pool (PostgresNIO's
/// `PostgresClient`, on its own event loops), the schema migrated when opened. It serves the
/// stores on the backend seam (docs/ARCHITECTURE.md, section 7), every one of them now; the
/// server is not wired to it yet, which is why `salon serve` refuses `storage.backend: postgresql`.
public final class PostgresBackend: StoreBackend {
    public let configuration: PostgresConfiguration
    let access: PostgresAccess
    private let runner: Task<Void, Never>

    private init(configuration: PostgresConfiguration, client: PostgresClient, logger: Logger) {
        self.configuration = configuration
        self.access = PostgresAccess(client: client, logger: logger)
        self.runner = Task { await client.run() }
    }

    /// Connects, then applies pending migrations under the advisory lock; throws unavailable
    /// when the server cannot be reached, schemaTooNew for a database of a newer Salon.
    public static func open(_ configuration: PostgresConfiguration,
                            logger: Logger = Logger(label: "salon.store.postgresql")) async throws -> PostgresBackend {
        let client = PostgresClient(configuration: configuration.client, backgroundLogger: logger)
        let database = PostgresBackend(configuration: configuration, client: client, logger: logger)
        do {
            try await database.firstConnection(within: configuration.startupTimeout)
            try await PostgresSchema.migrate(database.access)
            try await PostgresArchiveSearch.configure(configuration.textSearch, database.access)
        } catch {
            await database.shutdown()
            throw error
        }
        return database
    }

    /// Waits for the pool's first connection, at most `timeout`: the pool retries a server
    /// that refuses for far longer, and a server should not hang at start.
    private func firstConnection(within timeout: Duration) async throws {
        let access = self.access
        let place = configuration.description
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await access.query("SELECT 1") }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw StoreError(.unavailable, "no connection to \(place) within \(timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    public var accounts: any AccountStore { PostgresAccountStore(access: access) }
    public var rosters: any RosterStore { PostgresRosterStore(access: access) }
    public var archive: any ArchiveStore { PostgresArchiveStore(access: access) }
    public func archiveWriter(maxBatch: Int, commitObserver: ArchiveWriter.CommitObserver?) -> any ArchiveWriter {
        PostgresArchiveWriter(access: access, maxBatch: maxBatch, commitObserver: commitObserver)
    }
    public var offline: any OfflineStore { PostgresOfflineStore(access: access) }
    public var blocklists: any BlocklistStore { PostgresBlocklistStore(access: access) }
    public var vCards: any VCardStore { PostgresVCardStore(access: access) }
    public var privateStorage: any PrivateStorageStore { PostgresPrivateStorageStore(access: access) }
    public var pep: any PEPStore { PostgresPEPStore(access: access) }
    public var push: any PushStore { PostgresPushStore(access: access) }
    public var webSessions: any WebSessionStore { PostgresWebSessionStore(access: access) }
    public var chat: any ChatStore { PostgresChatStore(access: access) }
    public var compliance: any ComplianceStore { PostgresComplianceStore(access: access) }
    public var files: any FileStore { PostgresFileStore(access: access) }
    public var personalArchive: any PersonalArchiveStore { PostgresPersonalArchiveStore(access: access) }

    /// Closes the pool: queries still waiting for a connection fail, later ones too.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }
}
