import Logging
import SalonAdmin
import SalonSecurity
import SalonStore
import XMPPCore

/// What every connection shares: configuration, storage, routing, TLS.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let domain: String
    let database: SalonDatabase
    let sessions: SessionRegistry
    let components: ComponentRegistry
    let router: Router
    let rosters: RosterService
    let presence: PresenceService
    let accountEndpoint: AccountEndpoint
    let tls: TLSContext?
    let throttle: LoginThrottle
    /// What SCRAM derives unknown accounts' salts from (see `ServerSecret`).
    let fakeSaltKey: [UInt8]
    /// Failed component handshakes, counted apart: a component with a stale secret does not
    /// slow the logins of users at the same address.
    let componentThrottle = LoginThrottle()
    private let c2sConnections: ConnectionCounter
    private let directTLSConnections: ConnectionCounter
    private let componentConnections: ConnectionCounter
    let streams = StreamDirectory()
    let pendingWork = PendingWork()
    let logger: Logger

    var parserLimits: XMLStreamLimits {
        XMLStreamLimits(maxStanzaBytes: configuration.limits.maxStanzaBytes, maxDepth: configuration.limits.maxDepth)
    }

    init(configuration: ServerConfiguration, database: SalonDatabase, tls: TLSContext?, fakeSaltKey: [UInt8], logger: Logger) {
        self.configuration = configuration
        self.domain = configuration.domain
        self.database = database
        self.tls = tls
        self.fakeSaltKey = fakeSaltKey
        self.logger = logger
        sessions = SessionRegistry()
        components = ComponentRegistry(secrets: configuration.components)
        router = Router(domain: domain, sessions: sessions, components: components, database: database,
                        offlineLimit: configuration.limits.offlineMessages, logger: logger)
        rosters = RosterService(database: database, sessions: sessions, maxItems: configuration.limits.maxRosterItems, logger: logger)
        presence = PresenceService(domain: domain, sessions: sessions, rosters: rosters, database: database, router: router)
        accountEndpoint = AccountEndpoint(rosters: rosters, sessions: sessions, router: router)
        let adHoc = AdHocCommands(jid: domain, logger: logger)
        router.install(server: ServerEndpoint(domain: domain, components: components, router: router, adHoc: adHoc),
                       account: accountEndpoint, presence: presence)
        let router = router
        adHoc.register(UserAdminCommands(
            accounts: AccountService(database: database, domain: domain, iterations: configuration.scramIterations),
            sessions: sessions, domain: domain,
            isServerAdministrator: { router.muc?.directory.isServerAdministrator($0) ?? false }).all)
        adHoc.register([PingCommand.command])
        throttle = LoginThrottle()
        let limits = configuration.limits
        c2sConnections = ConnectionCounter(maxTotal: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerAddress)
        directTLSConnections = ConnectionCounter(maxTotal: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerAddress)
        componentConnections = ConnectionCounter(maxTotal: limits.componentMaxConnections,
                                                 maxPerAddress: limits.componentMaxConnectionsPerAddress)
    }

    /// Each listener counts its own connections: a flood on one port leaves the others their capacity.
    func connections(_ kind: ListenerKind) -> ConnectionCounter {
        switch kind {
        case .c2s: c2sConnections
        case .directTLS: directTLSConnections
        case .component: componentConnections
        }
    }
}
