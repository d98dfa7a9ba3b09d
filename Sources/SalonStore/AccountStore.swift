import SalonSecurity

/// Local accounts ("user@domain"), their SCRAM credentials, and service metadata, on whichever
/// backend the deployment uses (`SQLiteAccountStore`, `PostgresAccountStore`): callers hold
/// `any AccountStore` and never learn which. Every method is async and never blocks the caller.
public protocol AccountStore: Sendable {
    /// Creates an account with `credentials`; throws userExists if `jid` already has one.
    func create(jid: String, credentials: [SCRAMCredentials]) async throws

    /// Replaces all of the account's credentials with `credentials` (a new password): the
    /// room pages' sessions signed in with the old one end with it. Throws userNotFound.
    func setCredentials(jid: String, credentials: [SCRAMCredentials]) async throws

    /// Deletes the account with its credentials and everything it owns (roster, offline
    /// messages, personal data…), in one transaction; throws userNotFound. The roster version
    /// survives, bumped, so a re-created account never repeats one.
    func delete(jid: String) async throws

    /// Whether an account exists for `jid`.
    func exists(jid: String) async throws -> Bool

    /// The account's credential for `algorithm`, or nil if the account or that credential is absent.
    func credential(jid: String, algorithm: HashAlgorithm) async throws -> SCRAMCredentials?

    /// `credential(jid:algorithm:)` with its answer handed to `completion`: the cheapest way a
    /// backend has to answer, for the lookup every login makes.
    func credential(jid: String, algorithm: HashAlgorithm,
                    completion: @escaping @Sendable (Result<SCRAMCredentials?, any Error>) -> Void)

    /// All of the account's credentials, sorted by mechanism (empty if the account is absent).
    func credentials(jid: String) async throws -> [SCRAMCredentials]

    /// The bare JIDs of all accounts, or of those ending with "@domain", sorted by their bytes.
    func list(domain: String?) async throws -> [String]

    /// How many accounts exist, overall or ending with "@domain".
    func count(domain: String?) async throws -> Int

    /// The service metadata value for `key` (e.g. "admin-created"), or nil.
    func metadata(_ key: String) async throws -> String?

    /// The service metadata value for `key`, storing `candidate` first when there is none (in
    /// one transaction, so processes starting at once agree on the value).
    func metadata(_ key: String, storingIfAbsent candidate: String) async throws -> String

    /// Sets the service metadata value for `key`; nil removes it.
    func setMetadata(_ key: String, _ value: String?) async throws
}
