import Logging
import NIOCore
import NIOPosix
import Prometheus
import SalonAdmin
import SalonSecurity
import SalonStore
import ServiceLifecycle
import Synchronization
import XMPPCore

/// The ports a running server actually listens on (0 in the configuration picks a free one).
public struct BoundPorts: Sendable {
    public var c2s: Int
    public var directTLS: Int?
    public var component: Int?
    /// The HTTP server (file upload); nil when off.
    public var http: Int?
}

/// A running Salon: storage, TLS, listeners and routing. A swift-service-lifecycle `Service`:
/// `run()` serves until graceful shutdown, then closes every stream properly and the database.
public final class SalonServer: Service, Sendable {
    public let configuration: ServerConfiguration
    private let logger: Logger
    private let running = Mutex<Running?>(nil)
    private let metrics: ServerMetrics
    /// What `/metrics` renders. `salon serve` bootstraps swift-metrics with it too.
    public var metricsRegistry: PrometheusCollectorRegistry { metrics.registry }

    private struct Running {
        let group: MultiThreadedEventLoopGroup
        let context: ServerContext
        let listeners: [Channel]
        let http: HTTPServer?
        let sweeper: FileSweeper?
        let compliance: ComplianceService
        let cluster: ClusterMembership?
        let clusterLinks: ClusterNodeLinks?
    }

    /// `metricsRegistry`: where the server's metrics are kept; its own when nil (tests run
    /// several servers in one process, each with its own).
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "salon"),
                metricsRegistry: PrometheusCollectorRegistry? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = ServerMetrics(registry: metricsRegistry ?? PrometheusCollectorRegistry())
    }

    /// Opens storage, loads (or makes) certificates and starts listening.
    @discardableResult
    public func start() async throws -> BoundPorts {
        // Before anything is opened or created: clustering on SQLite, or without an address.
        try configuration.cluster.check(storage: configuration.administration.storage)
        let database = try await configuration.administration.storage.open(
            dataDirectory: configuration.dataDirectory, logger: Logger(label: "salon.store"))
        let tls: TLSContext
        let certificates: [TLSCertificate]
        let fakeSaltKey: [UInt8]
        let uploadKey: [UInt8]
        var cluster: ClusterMembership?
        do {
            cluster = try await startCluster(database)
            fakeSaltKey = try await ServerSecret.load(ServerSecret.fakeSalt, from: database)
            uploadKey = try await ServerSecret.load(ServerSecret.uploadToken, from: database)
            certificates = try CertificateStore.certificates(domain: configuration.domain,
                                                             directory: configuration.certificateDirectory, logger: logger)
            tls = try TLSContext.server(certificates: certificates, alpn: ["xmpp-client"], sessionTickets: configuration.sessionTickets)
        } catch {
            await cluster?.stop()
            try? await database.shutdown()
            throw error
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let context: ServerContext
        do {
            context = try await ServerContext.start(configuration: configuration, database: database, tls: tls,
                                                    fakeSaltKey: fakeSaltKey, uploadKey: uploadKey, group: group, metrics: metrics,
                                                    clusteredRooms: cluster?.rooms, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            await cluster?.stop()
            try? await database.shutdown()
            throw error
        }
        var listeners: [Channel] = []
        var ports = BoundPorts(c2s: 0)
        var http: HTTPServer?
        var clusterLinks: ClusterNodeLinks?
        do {
            if let cluster {
                clusterLinks = try await startClusterLinks(cluster, certificates: certificates, context: context, group: group)
            }
            http = try await startHTTP(context: context, tls: tls, cluster: clusterLinks, group: group)
            ports.http = http?.port
            let host = configuration.bindAddress
            let c2s = try await Listeners.bind(.c2s, host: host, port: configuration.c2sPort, context: context, group: group)
            listeners.append(c2s)
            ports.c2s = c2s.localAddress?.port ?? configuration.c2sPort
            if let port = configuration.directTLSPort {
                let channel = try await Listeners.bind(.directTLS, host: host, port: port, context: context, group: group)
                listeners.append(channel)
                ports.directTLS = channel.localAddress?.port
            }
            if let port = configuration.componentPort {
                let channel = try await Listeners.bind(.component, host: host, port: port, context: context, group: group)
                listeners.append(channel)
                ports.component = channel.localAddress?.port
            }
        } catch {
            await http?.stop()
            for channel in listeners { try? await channel.close() }
            await clusterLinks?.stop()
            try? await group.shutdownGracefully()
            await cluster?.stop()
            try? await database.shutdown()
            throw error
        }
        let sweeper = context.fileRoutes.map { FileSweeper(routes: $0, logger: logger) }
        let compliance = ComplianceService(recorder: context.muc.environment.compliance, administration: context.muc.environment.compliance.administration,
                                           logger: logger)
        running.withLock { running in
            running = Running(group: group, context: context, listeners: listeners, http: http, sweeper: sweeper,
                              compliance: compliance, cluster: cluster, clusterLinks: clusterLinks)
        }
        logger.notice("serving", metadata: [
            "domain": "\(configuration.domain)", "c2s": "\(configuration.bindAddress):\(ports.c2s)",
            "tls": "\(ports.directTLS.map(String.init) ?? "off")", "component": "\(ports.component.map(String.init) ?? "off")",
            "http": "\(http.map { "\(configuration.http.bindAddress):\($0.port)" } ?? "off")",
            "storage": "\(configuration.administration.storage.location(dataDirectory: configuration.dataDirectory))",
            "cluster": "\(cluster.map { "\($0.node) at \($0.address)" } ?? "off")",
        ])
        return ports
    }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await stop()
    }

    /// Shuts down without losing what was taken: stops listening and reading, lets what the
    /// streams already handed over finish (routing, rooms, the archive) and reach its
    /// recipients, then ends every stream with `system-shutdown` and closes the database.
    public func stop() async {
        guard let state = running.withLock({ running -> Running? in defer { running = nil }; return running }) else { return }
        // /health answers 503 from now on; the HTTP server stays up until the streams are closed.
        metrics.health.beginShutdown()
        for channel in state.listeners { try? await channel.close() }
        await state.sweeper?.stop()
        await state.compliance.stop()
        let streams = state.context.streams.all
        for stream in streams {
            try? await stream.eventLoop.submit { stream.stopInput() }.get()
        }
        await settle(state.group)
        if await !state.context.pendingWork.drained(within: .seconds(10)) {
            logger.warning("shutdown goes on with work still pending", metadata: ["pending": "\(state.context.pendingWork.count)"])
        }
        await state.context.muc.stop()
        await state.context.followedRooms.stop()
        await settle(state.group)
        // Sessions waiting to be resumed (XEP-0198) end as a logout would.
        for connection in state.context.resumption.connections {
            try? await connection.stream.eventLoop.submit { connection.expire(reason: "shutdown") }.get()
        }
        for stream in streams {
            stream.eventLoop.execute { stream.fail(.systemShutdown, text: "The server is shutting down.") }
        }
        for stream in streams {
            _ = try? await stream.channel.closeFuture.get()
        }
        // What ended sessions never had acknowledged is being stored offline.
        _ = await state.context.pendingWork.drained(within: .seconds(10))
        // After the streams' goodbyes to rooms on other nodes were sent.
        await state.clusterLinks?.stop()
        await state.http?.stop()
        // What the HTTP connections' closing queued on the loops runs before they shut down.
        await settle(state.group)
        try? await state.group.shutdownGracefully()
        // Last before the database closes: everything this node took has been stored.
        await state.cluster?.stop()
        try? await state.context.database.shutdown()
        logger.notice("stopped")
    }

    /// This node's membership when `cluster.enabled`: registered and heard from before the
    /// node serves.
    private func startCluster(_ database: any StoreBackend) async throws -> ClusterMembership? {
        let settings = configuration.cluster
        guard settings.enabled else { return nil }
        guard let store = database.cluster(deadAfter: settings.deadAfter) else {
            throw ClusterConfigurationError("cluster.enabled needs storage.backend: postgresql")
        }
        let membership = ClusterMembership(store: store, configuration: settings, node: configuration.clusterNodeID, logger: logger)
        try await membership.start()
        return membership
    }

    /// The node links of a clustered node; `cluster.secret_file` is required by then.
    private func startClusterLinks(_ membership: ClusterMembership, certificates: [TLSCertificate], context: ServerContext,
                                   group: MultiThreadedEventLoopGroup) async throws -> ClusterNodeLinks {
        guard let secret = configuration.cluster.secret else { throw ClusterConfigurationError.missingSecret }
        return try await ClusterNodeLinks.start(membership: membership, secret: secret, certificates: certificates, context: context,
                                                group: group, logger: logger)
    }

    /// The HTTP server with every feature's routes, when configured; the upload service learns
    /// the URL it is reached at.
    private func startHTTP(context: ServerContext, tls: TLSContext, cluster: ClusterNodeLinks?,
                           group: MultiThreadedEventLoopGroup) async throws -> HTTPServer? {
        let settings = configuration.http
        guard let port = settings.port else { return nil }
        try context.fileRoutes?.files.prepare()
        // A plain listener is allowed only where nobody else can connect: behind a local proxy.
        let httpTLS: TLSContext? = settings.tls || !ServerConfiguration.isLoopback(settings.bindAddress)
            ? try TLSContext.server(certificates: CertificateStore.certificates(domain: configuration.domain,
                                                                                 directory: configuration.certificateDirectory, logger: logger),
                                    alpn: ["http/1.1"], sessionTickets: configuration.sessionTickets)
            : nil
        let limits = configuration.limits
        let metricsRoutes = MetricsRoutes(metrics: metrics, allow: configuration.metrics.allow, collect: { [metrics, muc = context.muc] in
            let (rooms, occupants) = await muc.occupancy()
            metrics.roomsLive.set(to: Double(rooms))
            metrics.occupants.set(to: Double(occupants))
            await metrics.compliance.collect(from: muc.environment.compliance)
            if let cluster { metrics.cluster.collect(from: cluster.router, links: cluster.links) }
        }, logger: logger)
        let routes: [any HTTPRoutes] = [context.fileRoutes as (any HTTPRoutes)?, context.webRoutes, metricsRoutes].compactMap { $0 }
        let server = try await HTTPServer.start(
            configuration: settings, port: port, tls: httpTLS, routes: routes,
            connections: ConnectionCounter(maxTotal: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerAddress,
                                           gauges: metrics.httpConnections, startsWithTLS: httpTLS != nil),
            group: group, logger: logger)
        let url = settings.publicURL ?? "\(httpTLS == nil ? "http" : "https")://\(configuration.domain):\(server.port)"
        if let upload = context.upload {
            upload.listening(at: url)
            context.muc.environment.uploadLinks.listening(at: url)
        }
        if context.webRoutes != nil { context.muc.environment.roomManagement.listening(at: url) }
        return server
    }

    /// Runs every event loop through what is queued on it, a few times over: work that hops
    /// from loop to loop (a post to its room, the room's broadcast to its occupants' streams)
    /// has then arrived.
    private func settle(_ group: MultiThreadedEventLoopGroup) async {
        for _ in 0..<3 {
            for loop in group.makeIterator() {
                try? await loop.submit {}.get()
            }
        }
    }

    /// The running server's stores (nil before `start` and after `stop`).
    public var store: (any StoreBackend)? { running.withLock { $0?.context.database } }

    /// This node's cluster membership (nil when `cluster.enabled` is off, before `start` and after `stop`).
    public var cluster: ClusterMembership? { running.withLock { $0?.cluster } }

    /// For tests: the shared state of the running server.
    var context: ServerContext? { running.withLock { $0?.context } }
}
