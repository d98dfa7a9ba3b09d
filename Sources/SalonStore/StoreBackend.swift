/// One backend's stores (SQLite: `SalonDatabase`; PostgreSQL: `PostgresBackend`). A store
/// joins this protocol when both backends serve it; until every store has, the server and the
/// CLI run on SQLite only (docs/ARCHITECTURE.md, section 7, "Two backends").
public protocol StoreBackend: AnyObject, Sendable {
    /// Accounts, SCRAM credentials and service metadata.
    var accounts: any AccountStore { get }
    /// Per-user rosters with versions (RFC 6121).
    var rosters: any RosterStore { get }
    /// The rooms' message archive: MAM queries, search, clear, remove, moderation.
    var archive: any ArchiveStore { get }
    /// The node's archive writer (group commit; one per node), batches of at most `maxBatch`.
    func archiveWriter(maxBatch: Int, commitObserver: ArchiveWriter.CommitObserver?) -> any ArchiveWriter
}

extension SalonDatabase: StoreBackend {
    public func archiveWriter(maxBatch: Int, commitObserver: ArchiveWriter.CommitObserver?) -> any ArchiveWriter {
        SQLiteArchiveWriter(database: self, maxBatch: maxBatch, commitObserver: commitObserver)
    }
}
