import Logging
import PersistentChat
import NIOCore
import SalonAdmin
import SalonSecurity
import SalonStore
import XMPPCore

/// What every connection shares: configuration, storage, routing, TLS.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let domain: String
    let database: any StoreBackend
    let sessions: SessionRegistry
    let components: ComponentRegistry
    let router: Router
    /// The persistent-chat service (XEP-0045 on its own domain).
    let muc: MUCService
    let rosters: RosterService
    let presence: PresenceService
    let accountEndpoint: AccountEndpoint
    /// PEP (XEP-0163) on every account.
    let pep: PEPService
    /// Removes bookmarks of rooms their owners can no longer join.
    let followedRooms: FollowedRooms
    /// XEP-0357: wakes devices for what arrives while no session receives it.
    let push: PushService
    /// File upload (XEP-0363) and its HTTP routes, when the HTTP server runs.
    let upload: UploadService?
    let fileRoutes: FileRoutes?
    /// The room-management pages (`/rooms`), when the HTTP server runs them.
    let webRoutes: WebRoutes?
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
    /// XEP-0198 sessions a client may resume, by SM-ID.
    let resumption = ResumableSessions()
    let pendingWork = PendingWork()
    /// What `/metrics` reports (Metrics/ServerMetrics.swift).
    let metrics: ServerMetrics
    let logger: Logger

    var parserLimits: XMLStreamLimits {
        XMLStreamLimits(maxStanzaBytes: configuration.limits.maxStanzaBytes, maxDepth: configuration.limits.maxDepth)
    }

    /// Makes the shared state in dependency order: the registries, the router, the
    /// persistent-chat service (it loads its directory), the services built on them; then
    /// connects those services to the router, once. Everything routes through the router, so
    /// it comes first and learns its services last.
    static func start(configuration: ServerConfiguration, database: any StoreBackend, tls: TLSContext?, fakeSaltKey: [UInt8],
                      uploadKey: [UInt8] = [], group: EventLoopGroup, metrics: ServerMetrics = ServerMetrics(),
                      clusteredRooms: ClusteredRooms? = nil, logger: Logger) async throws -> ServerContext {
        let sessions = SessionRegistry()
        let components = ComponentRegistry(secrets: configuration.components)
        // One writer for rooms' and accounts' archives: their appends share group commits.
        let archiveWriter = database.archiveWriter(commitObserver: metrics.archiveCommitObserver)
        let compliance = ComplianceRecorder(
            administration: ComplianceAdministration(database: database, configuration: configuration.administration,
                                                     chatDomain: configuration.mucDomain),
            writer: archiveWriter, store: database.compliance, logger: logger)
        await compliance.refresh()
        let router = Router(domain: configuration.domain, sessions: sessions, components: components, database: database,
                            archiveWriter: archiveWriter, offlineLimit: configuration.limits.offlineMessages, logger: logger)
        let muc = try await MUCService.start(domain: configuration.mucDomain, serverDomain: configuration.domain, database: database,
                                             archiveWriter: archiveWriter, router: router, sessions: sessions, group: group,
                                             presenceRates: PresenceRates(limits: configuration.limits),
                                             lockedRoomsPerUser: configuration.limits.lockedRoomsPerUser,
                                             maxVCardBytes: configuration.limits.maxVCardBytes, metrics: metrics, compliance: compliance,
                                             clusteredRooms: clusteredRooms, logger: logger)
        return ServerContext(configuration: configuration, database: database, tls: tls, fakeSaltKey: fakeSaltKey, uploadKey: uploadKey,
                             sessions: sessions, components: components, router: router, muc: muc, metrics: metrics, logger: logger)
    }

    private init(configuration: ServerConfiguration, database: any StoreBackend, tls: TLSContext?, fakeSaltKey: [UInt8], uploadKey: [UInt8],
                 sessions: SessionRegistry, components: ComponentRegistry, router: Router, muc: MUCService, metrics: ServerMetrics,
                 logger: Logger) {
        self.metrics = metrics
        self.configuration = configuration
        self.domain = configuration.domain
        self.database = database
        self.tls = tls
        self.fakeSaltKey = fakeSaltKey
        self.logger = logger
        self.sessions = sessions
        self.components = components
        self.router = router
        self.muc = muc
        rosters = RosterService(database: database, sessions: sessions, router: router, maxItems: configuration.limits.maxRosterItems,
                                logger: logger)
        pep = PEPService(domain: domain, database: database, sessions: sessions, router: router, limits: configuration.limits.personalData,
                         logger: logger)
        let followedRooms = FollowedRooms(pep: pep, mucDomain: muc.domain, directory: { await muc.currentDirectory() }, logger: logger)
        self.followedRooms = followedRooms
        // The rooms service only tells followed rooms; this context owns both (FollowedRooms reads
        // the service's directory, so a strong capture would be a cycle).
        muc.observeDirectory { [weak followedRooms] in followedRooms?.directoryChanged(from: $0, to: $1) }
        muc.observeAcceptedInvitations { [weak followedRooms] in followedRooms?.invitationAccepted(by: $0, room: $1, name: $2, nick: $3) }
        presence = PresenceService(domain: domain, sessions: sessions, rosters: rosters, database: database, router: router, muc: muc,
                                   pep: pep, followedRooms: followedRooms, maxDirectedPresences: configuration.limits.directedPresences)
        let limits = configuration.limits
        let vCards = VCardService(database: database, sessions: sessions, presence: presence, pep: pep, maxBytes: limits.maxVCardBytes,
                                  logger: logger)
        pep.observeChanges(vCards)
        push = PushService(domain: domain, database: database, sessions: sessions, router: router,
                           settings: .init(maxRegistrations: limits.pushRegistrations, burst: limits.pushBurst, perMinute: limits.pushPerMinute,
                                           includeBody: configuration.pushIncludesBody),
                           logger: logger)
        accountEndpoint = AccountEndpoint(
            rosters: rosters,
            blocking: BlockingService(database: database, sessions: sessions, router: router, maxItems: limits.maxBlocklistItems, logger: logger),
            vCards: vCards,
            sessions: sessions, pep: pep,
            privateStorage: PrivateStorageService(database: database, bookmarks: pep.bookmarks, logger: logger),
            archive: PersonalArchiveService(store: database.personalArchive, router: router, logger: logger),
            push: push, router: router)
        let adHoc = AdHocCommands(jid: domain, logger: logger)
        adHoc.register(UserAdminCommands(
            accounts: AccountService(database: database, domain: domain, iterations: configuration.scramIterations),
            sessions: sessions, router: router, domain: domain,
            isServerAdministrator: { muc.directory.isServerAdministrator($0) }).all)
        adHoc.register([PingCommand.command])
        muc.adHoc.register(ServiceTransferCommands(database: database, configuration: configuration.administration,
                                                   exportDirectory: configuration.effectiveExportDirectory, muc: muc, logger: logger).all)
        let throttle = LoginThrottle()
        self.throttle = throttle
        let passwords = AccountPasswords(store: database.accounts, domain: domain)
        let webSessions = configuration.http.port != nil && configuration.http.web.enabled
            ? WebSessions(store: database.webSessions, passwords: passwords, throttle: throttle, configuration: configuration.http.web,
                          logger: logger)
            : nil
        if let webSessions {
            webRoutes = WebRoutes(sessions: webSessions, muc: muc, archive: database.archive, configuration: configuration.http.web,
                                  serverDomain: configuration.domain, logger: logger)
        } else {
            webRoutes = nil
        }
        if let uploadDomain = configuration.uploadDomain {
            let files = UploadedFiles(dataDirectory: configuration.dataDirectory)
            let directory: @Sendable () -> ChatDirectory = { muc.directory }
            upload = UploadService(domain: uploadDomain, serverDomain: domain, configuration: configuration.http.upload,
                                   tokenKey: uploadKey, store: database.files, directory: directory, router: router, logger: logger)
            fileRoutes = FileRoutes(store: database.files, files: files, tokenKey: uploadKey, configuration: configuration.http.upload,
                                    directory: directory, downloaders: FileDownloaders(passwords: passwords, sessions: webSessions),
                                    metrics: metrics, compliance: muc.environment.compliance,
                                    logger: logger)
            // Commands the rooms service holds reach it unowned, as its other commands do.
            muc.adHoc.register(FileCommands(files: FileAdministration(database: database, dataDirectory: configuration.dataDirectory),
                                            directory: { [unowned muc] in muc.directory }).all)
        } else {
            upload = nil
            fileRoutes = nil
        }
        router.connect(server: ServerEndpoint(domain: domain, components: components, router: router, muc: muc, adHoc: adHoc,
                                              uploadDomain: upload?.domain),
                       account: accountEndpoint, presence: presence, muc: muc, push: push, upload: upload)
        c2sConnections = ConnectionCounter(maxTotal: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerAddress,
                                           gauges: metrics.c2sConnections)
        directTLSConnections = ConnectionCounter(maxTotal: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerAddress,
                                                 gauges: metrics.c2sConnections, startsWithTLS: true)
        componentConnections = ConnectionCounter(maxTotal: limits.componentMaxConnections,
                                                 maxPerAddress: limits.componentMaxConnectionsPerAddress, gauges: metrics.componentConnections)
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
