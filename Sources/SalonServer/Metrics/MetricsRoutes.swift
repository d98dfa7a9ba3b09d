import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `/metrics` (Prometheus text exposition format 0.0.4) for the peers `metrics.allow` names,
/// loopback by default, 403 for others; `/health` for anyone: 200 while serving, 503 once
/// shutdown has begun.
struct MetricsRoutes: HTTPRoutes {
    let metrics: ServerMetrics
    let allow: AddressAllowList
    /// Sets the gauges that are read rather than kept (rooms live, occupants), before rendering.
    let collect: @Sendable () async -> Void
    let logger: Logger
    /// One refusal line per peer address per minute.
    private let refusals = LogThrottle()

    init(metrics: ServerMetrics, allow: AddressAllowList, collect: @escaping @Sendable () async -> Void, logger: Logger) {
        self.metrics = metrics
        self.allow = allow
        self.collect = collect
        self.logger = logger
    }

    func add(to router: Hummingbird.Router<SalonRequestContext>) {
        router.get("metrics") { _, context in await scrape(context) }
        router.get("health") { _, _ in health() }
    }

    private func scrape(_ context: SalonRequestContext) async -> Response {
        let peer = context.remoteAddress?.ipAddress
        guard allow.allows(peer) else {
            if refusals.shouldLog(peer ?? "-") {
                logger.notice("metrics refused: peer not in metrics.allow", metadata: ["address": "\(peer ?? "unknown")"])
            }
            return Self.text(.forbidden, "Metrics are served only to the addresses metrics.allow names.\n")
        }
        await collect()
        var bytes = metrics.registry.emitToBuffer()
        bytes.append(contentsOf: ProcessStatistics.exposition().utf8)
        return Self.response(.ok, ByteBuffer(bytes: bytes), type: "text/plain; version=0.0.4; charset=utf-8")
    }

    private func health() -> Response {
        metrics.health.isServing ? Self.text(.ok, "serving\n") : Self.text(.serviceUnavailable, "shutting down\n")
    }

    private static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        response(status, ByteBuffer(string: text), type: "text/plain; charset=utf-8")
    }

    private static func response(_ status: HTTPResponse.Status, _ body: ByteBuffer, type: String) -> Response {
        Response(status: status,
                 headers: [.contentType: type, .contentLength: "\(body.readableBytes)", .cacheControl: "no-store",
                           .xContentTypeOptions: "nosniff"],
                 body: ResponseBody(byteBuffer: body))
    }
}
