/// One backend's stores (SQLite: `SalonDatabase`; PostgreSQL: `PostgresBackend`). A store
/// joins this protocol when both backends serve it; until every store has, the server and the
/// CLI run on SQLite only (docs/ARCHITECTURE.md, section 7, "Two backends").
public protocol StoreBackend: AnyObject, Sendable {
    /// Accounts, SCRAM credentials and service metadata.
    var accounts: any AccountStore { get }
    /// Per-user rosters with versions (RFC 6121).
    var rosters: any RosterStore { get }
    /// The persistent-chat directory, invitations, joins and room vCards.
    var chat: any ChatStore { get }
    /// The compliance journal (one hash chain), its settings and its exports.
    var compliance: any ComplianceStore { get }
}

extension SalonDatabase: StoreBackend {}
