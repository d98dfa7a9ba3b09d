import Logging
import PostgresNIO

/// A Salon deployment's storage on PostgreSQL: one connection pool (PostgresNIO's
/// `PostgresClient`, on its own event loops), the schema migrated when opened. It serves every
/// store on the backend seam (docs/ARCHITECTURE.md, section 7).
public final class PostgresBackend: StoreBackend {
    public let configuration: PostgresConfiguration
    let access: PostgresAccess
    private let runner: Task<Void, Never>

    private init(configuration: PostgresConfiguration, logger: Logger) {
        let health = PostgresHealth(configuration: configuration, logger: logger)
        let client = PostgresClient(configuration: configuration.client,
                                    backgroundLogger: PostgresPoolLog.logger(logger, health: health))
        self.configuration = configuration
        self.access = PostgresAccess(client: client, logger: logger, health: health, timeout: configuration.operationTimeout,
                                     administrativeTimeout: configuration.administrativeTimeout)
        // Detached: `PostgresClient.run` ends at a swift-service-lifecycle graceful shutdown it
        // inherits as a task-local, which under `salon serve` closed the pool at SIGTERM, before
        // the server's shutdown had stored what it took. `shutdown` ends it instead.
        self.runner = Task.detached { await client.run() }
    }

    /// Connects, then applies pending migrations under the advisory lock; throws unavailable
    /// when the server cannot be reached, schemaTooNew for a database of a newer Salon.
    public static func open(_ configuration: PostgresConfiguration,
                            logger: Logger = Logger(label: "salon.store.postgresql")) async throws -> PostgresBackend {
        let database = PostgresBackend(configuration: configuration, logger: logger)
        do {
            // The pool retries a server that refuses for far longer: a server should not hang at start.
            _ = try await database.access.within(configuration.startupTimeout).query("SELECT 1")
            try await PostgresSchema.migrate(database.access.administrative)
            try await PostgresArchiveSearch.configure(configuration.textSearch, database.access.administrative)
        } catch {
            await database.shutdown()
            throw error
        }
        return database
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
    public func cluster(deadAfter: Duration) -> (any ClusterStore)? {
        PostgresClusterStore(access: access, configuration: configuration, deadAfter: deadAfter)
    }

    /// Refreshes the planner's statistics of the schema's tables (ANALYZE). After a bulk load (an
    /// import, a migration) and before autovacuum gets to it, a search would be planned for the
    /// archive as it was, often empty: a room's index walked whole for a word in two messages.
    public func analyze() async throws {
        try await PostgresSchema.analyze(access.administrative)
    }

    /// Closes the pool: queries still waiting for a connection fail, later ones too.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }
}
