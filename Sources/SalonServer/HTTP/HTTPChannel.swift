import HummingbirdCore
import Logging
import NIOCore
import SalonSecurity

/// An HTTP connection's pipeline: the connection cap, then TLS through Salon's own OpenSSL
/// layer (the domain's certificate, as on the XMPP ports), then Hummingbird's HTTP/1.1.
struct SalonHTTPChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let tls: TLSContext?
    let connections: ConnectionCounter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var logger = logger
            logger[metadataKey: "conn"] = "http \(channel.remoteAddress?.ipAddress ?? "unknown"):\(channel.remoteAddress?.port ?? 0)"
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ConnectionLimitHandler(counter: connections, logger: logger))
            if let tls { try pipeline.addHandler(OpenSSLHandler(context: tls, role: .server)) }
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
