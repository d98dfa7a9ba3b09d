import ArgumentParser
import Configuration
import Foundation
import Logging
import Metrics
import Prometheus
import SalonAdmin
import SalonServer
import SalonStore
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the XMPP server.")

    @OptionGroup var common: CommonOptions

    @Option(help: "The XMPP domain served (default localhost).")
    var domain: String?

    @Option(help: "Listen address (default 127.0.0.1).")
    var bind: String?

    @Option(name: .customLong("c2s-port"), parsing: .unconditional, help: "Client port with STARTTLS (default 5222).")
    var c2sPort: Int?

    @Option(name: .customLong("tls-port"), parsing: .unconditional, help: "Client port with direct TLS, XEP-0368 (default 5223; negative turns it off).")
    var tlsPort: Int?

    @Option(name: .customLong("component-port"), parsing: .unconditional, help: "External component port, XEP-0114 (default 5347; negative turns it off).")
    var componentPort: Int?

    @Option(name: .customLong("http-port"), parsing: .unconditional, help: "HTTP port for file upload (XEP-0363) and the room pages (default 5443; negative turns it off).")
    var httpPort: Int?

    @Option(name: .customLong("component"), help: "A component DOMAIN=SECRET (repeatable).")
    var components: [String] = []

    @Flag(name: .customLong("allow-plaintext-auth"), help: "Allow authentication without TLS (honoured on loopback only; for tests).")
    var allowPlaintextAuth = false

    func run() async throws {
        MemoryAllocator.keepFreedMemoryForReuse()
        // Before the first database is opened: SQLite takes it only then.
        SQLiteLibrary.keepStatementJournalsInMemory()
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        func set(_ key: String, _ content: ConfigContent?) {
            if let content { flags[AbsoluteConfigKey(stringLiteral: key)] = ConfigValue(content, isSecret: false) }
        }
        set("domain", domain.map { .string($0) })
        set("bind", bind.map { .string($0) })
        set("ports.c2s", c2sPort.map { .int($0) })
        set("ports.tls", tlsPort.map { .int($0) })
        set("ports.component", componentPort.map { .int($0) })
        set("http.port", httpPort.map { .int($0) })
        set("paths.data", common.dataDirectory.map { .string($0) })
        if allowPlaintextAuth { set("tls.required", .bool(false)) }

        let settings: Settings
        var configuration: ServerConfiguration
        do {
            settings = try await Settings.load(file: common.config, flags: flags)
            configuration = try settings.serverConfiguration()
            for entry in components {
                let (name, secret) = try Settings.component(entry)
                configuration.components[name] = secret
            }
        } catch {
            throw CleanExit.failure("salon: bad configuration: \(error)")
        }
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "salon")

        do {
            try DataDirectory.lockForServing(configuration.dataDirectory)
        } catch {
            throw CleanExit.failure("salon: \(error)")
        }
        // The service group traps SIGTERM/SIGINT before the server opens its listeners, so a
        // signal sent as soon as the port answers is a graceful shutdown, not a kill.
        // One registry for the process: the server's own metrics, and whatever libraries
        // report through swift-metrics, on the same /metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let server = SalonServer(configuration: configuration, logger: logger, metricsRegistry: registry)
        let served = configuration
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: RunningServer(server: server, announce: { try await announceFirstAdministrator(served, server) }))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// On first start: an administrator account, printed once.
    private func announceFirstAdministrator(_ configuration: ServerConfiguration, _ server: SalonServer) async throws {
        guard let database = server.store else { return }
        do {
            let accounts = AccountService(database: database, domain: configuration.domain, iterations: configuration.scramIterations)
            if let admin = try await accounts.bootstrapAdministrator() {
                // Written unbuffered: it must reach a log file even if the server is killed.
                FileHandle.standardOutput.write(Data("""
                Salon created the first administrator account. Its password is shown only this once:
                  JID:      \(admin.jid)
                  password: \(admin.password)
                Change it with: salon user passwd \(admin.jid)

                """.utf8))
            }
        } catch {
            throw CleanExit.failure("salon: cannot create the first administrator: \(error)")
        }
    }
}

/// Starts the server, then serves until the service group's graceful shutdown (SIGTERM/SIGINT),
/// then stops cleanly.
struct RunningServer: Service {
    let server: SalonServer
    /// What to do once the listeners are up.
    let announce: @Sendable () async throws -> Void

    func run() async throws {
        do {
            try await server.start()
        } catch {
            await server.stop()
            throw CleanExit.failure("salon: \(error)")
        }
        // Only once the listeners are up: a password printed by a server that then fails to
        // bind would be for an account nobody can reach.
        do {
            try await announce()
        } catch {
            await server.stop()
            throw error
        }
        try? await gracefulShutdown()
        await server.stop()
    }
}

extension CleanExit {
    /// Exits non-zero with a message on standard error.
    static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode.failure
    }
}
