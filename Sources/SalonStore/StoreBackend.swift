/// One backend's stores (SQLite: `SalonDatabase`; PostgreSQL: `PostgresBackend`), opened from
/// `StorageConfiguration`. The server and the CLI see only this (docs/ARCHITECTURE.md,
/// section 7, "Two backends").
public protocol StoreBackend: AnyObject, Sendable {
    /// Accounts, SCRAM credentials and service metadata.
    var accounts: any AccountStore { get }
    /// Per-user rosters with versions (RFC 6121).
    var rosters: any RosterStore { get }
    /// The rooms' message archive: MAM queries, search, clear, remove, moderation.
    var archive: any ArchiveStore { get }
    /// The node's archive writer (group commit; one per node), batches of at most `maxBatch`.
    func archiveWriter(maxBatch: Int, commitObserver: ArchiveWriter.CommitObserver?) -> any ArchiveWriter
    /// Per-user queues of offline messages (XEP-0160).
    var offline: any OfflineStore { get }
    /// Per-user blocklists (XEP-0191).
    var blocklists: any BlocklistStore { get }
    /// Per-user vCards (XEP-0054).
    var vCards: any VCardStore { get }
    /// Per-user private XML storage (XEP-0049).
    var privateStorage: any PrivateStorageStore { get }
    /// Per-user PEP nodes, items, subscriptions and affiliations (XEP-0163).
    var pep: any PEPStore { get }
    /// Push registrations (XEP-0357).
    var push: any PushStore { get }
    /// Sessions of the room-management pages.
    var webSessions: any WebSessionStore { get }
    /// What a login reads at bind (roster, blocklist, photo hash), handed to `completion`.
    func loginState(owner: String, completion: @escaping @Sendable (Result<AccountLoginState, any Error>) -> Void)
    /// The persistent-chat directory, invitations, joins and room vCards.
    var chat: any ChatStore { get }
    /// The compliance journal (one hash chain), its settings and its exports.
    var compliance: any ComplianceStore { get }
    /// Uploaded files (XEP-0363), the room messages that carry them, and their downloads.
    var files: any FileStore { get }
    /// Accounts' own message archives (XEP-0313) and archiving preferences (XEP-0441).
    var personalArchive: any PersonalArchiveStore { get }
    /// Export and import of the whole service (`salon export`, `import`, `storage migrate`).
    var transfer: any ServiceTransfer { get }
    /// The cluster's membership and room leases, whose nodes count as dead once their
    /// heartbeat is older than `deadAfter`; nil on a backend without a cluster (SQLite).
    func cluster(deadAfter: Duration) -> (any ClusterStore)?
    /// Closes every connection (never blocking a thread of Swift's cooperative pool); later
    /// calls on the backend or its stores fail.
    func shutdown() async throws
}

extension SalonDatabase: StoreBackend {
    public func archiveWriter(maxBatch: Int, commitObserver: ArchiveWriter.CommitObserver?) -> any ArchiveWriter {
        SQLiteArchiveWriter(database: self, maxBatch: maxBatch, commitObserver: commitObserver)
    }

    /// One file serves one node: there is nothing to share membership with.
    public func cluster(deadAfter: Duration) -> (any ClusterStore)? { nil }
}

extension StoreBackend {
    /// The node's archive writer with the default batch bound.
    public func archiveWriter(commitObserver: ArchiveWriter.CommitObserver?) -> any ArchiveWriter {
        archiveWriter(maxBatch: SQLiteArchiveWriter.defaultMaxBatch, commitObserver: commitObserver)
    }
}
