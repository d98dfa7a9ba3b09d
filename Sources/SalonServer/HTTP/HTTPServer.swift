import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SalonSecurity
import ServiceLifecycle
import Synchronization

/// What a feature contributes to the one HTTP server: its routes (file upload now; room pages
/// and metrics), each under its own path prefix.
protocol HTTPRoutes: Sendable {
    func add(to router: Hummingbird.Router<SalonRequestContext>)
}

struct HTTPServerFailure: Error, CustomStringConvertible {
    let description: String
}

/// Salon's HTTP server: Hummingbird 2 on the server's event loop group, TLS through Salon's
/// OpenSSL layer, run in a service group of its own that `stop` shuts down gracefully.
final class HTTPServer: Sendable {
    let port: Int
    private let services: ServiceGroup
    private let running: Task<Void, Never>

    private init(port: Int, services: ServiceGroup, running: Task<Void, Never>) {
        self.port = port
        self.services = services
        self.running = running
    }

    static func start(configuration: HTTPConfiguration, port: Int, tls: TLSContext?, routes: [any HTTPRoutes],
                      connections: ConnectionCounter, group: any EventLoopGroup, logger: Logger) async throws -> HTTPServer {
        let router = Hummingbird.Router(context: SalonRequestContext.self)
        for feature in routes { feature.add(to: router) }
        let idle = TimeAmount.milliseconds(Int64(configuration.idleTimeout * 1000))
        let deadline = TimeAmount.milliseconds(Int64(configuration.requestTimeout * 1000))
        let server = HTTPServerBuilder { responder in
            SalonHTTPChannel(base: HTTP1Channel(responder: responder, configuration: .init(
                                 additionalChannelHandlers: [RequestDeadlineHandler(deadline: deadline, afterHandshake: tls != nil)], idleTimeout: idle)),
                             tls: tls, connections: connections)
        }
        let (bound, boundContinuation) = AsyncStream.makeStream(of: Int.self)
        var httpLogger = logger
        // Hummingbird logs every request at debug and its own start at info: keep the operator
        // log to Salon's lines.
        httpLogger.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.bindAddress, port: port)),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress?.port ?? port)
                boundContinuation.finish()
            },
            eventLoopGroupProvider: .shared(group), logger: httpLogger)
        let services = ServiceGroup(configuration: .init(services: [application], logger: httpLogger))
        let failure = Mutex<String?>(nil)
        let running = Task {
            do {
                try await services.run()
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            boundContinuation.finish()
        }
        for await actualPort in bound {
            return HTTPServer(port: actualPort, services: services, running: running)
        }
        await running.value
        throw HTTPServerFailure(description: "cannot listen on \(configuration.bindAddress):\(port) for http: "
                                + (failure.withLock { $0 } ?? "the server stopped"))
    }

    /// Stops accepting, lets requests in progress finish, then returns.
    func stop() async {
        await services.triggerGracefulShutdown()
        await running.value
    }
}
