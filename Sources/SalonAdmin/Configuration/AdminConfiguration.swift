import PersistentChat
import SalonStore

/// What administration needs of a deployment's configuration: the domain accounts live on,
/// where the database is, how new passwords are hashed. `salon serve` reads it as part of the
/// server's configuration; the CLI's other commands read only this.
public struct AdminConfiguration: Sendable {
    /// The XMPP domain users live on (`user@domain`).
    public var domain: String
    /// Where uploaded files, exports and (with SQLite) the database live.
    public var dataDirectory: String = "./data"
    /// Which database keeps the data (`storage.backend`).
    public var storage = StorageConfiguration.sqlite
    /// SCRAM iteration count for new and changed passwords.
    public var scramIterations: Int = 4096
    /// Compliance recording as the configuration file sets it (`compliance.*`); what
    /// `salon compliance set` or the ad-hoc command stored in the database overrides it.
    public var compliance = ComplianceSettings()
    /// Several nodes on one database (`cluster.*`); checked against `storage` when read.
    public var cluster = ClusterConfiguration()

    public init(domain: String = "localhost") {
        self.domain = domain
    }
}
