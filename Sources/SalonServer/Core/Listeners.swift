import Logging
import NIOCore
import NIOPosix
import SalonSecurity
import XMPPCore

/// The three kinds of listening socket and the pipeline each accepted connection gets.
enum ListenerKind: String, Sendable {
    case c2s = "c2s"
    case directTLS = "c2s-tls"
    case component = "component"
}

struct ListenerFailure: Error, CustomStringConvertible {
    let description: String
}

enum Listeners {
    static func bind(_ kind: ListenerKind, host: String, port: Int, context: ServerContext,
                     group: EventLoopGroup) async throws -> Channel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 4096)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            .childChannelOption(ChannelOptions.recvAllocator, value: receiveBuffers)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try setUp(channel, kind: kind, context: context)
                }
            }
        do {
            return try await bootstrap.bind(host: host, port: port).get()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            // The common case, said plainly: another server (or an old Salon) has the port.
            throw ListenerFailure(description: "port \(port) on \(host) is already in use (\(kind.rawValue)); cannot listen on \(host):\(port)")
        } catch {
            throw ListenerFailure(description: "cannot listen on \(host):\(port) for \(kind.rawValue): \(error)")
        }
    }

    /// Each connection keeps its last receive buffer for the next read. Most stanzas fit in
    /// 512 bytes, so an idle session keeps that much rather than NIO's default 2 KiB; a busy
    /// one grows its buffer by doubling, up to 64 KiB.
    static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536)

    /// Builds one accepted connection's pipeline:
    /// [limit] [TLS, for direct TLS] [idle] [stream] — STARTTLS later inserts TLS at the front.
    static func setUp(_ channel: Channel, kind: ListenerKind, context: ServerContext) throws {
        let remote = channel.remoteAddress?.ipAddress ?? "unknown"
        var logger = context.logger
        logger[metadataKey: "conn"] = "\(kind.rawValue) \(remote):\(channel.remoteAddress?.port ?? 0)"
        let limits = context.configuration.limits
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(ConnectionLimitHandler(counter: context.connections(kind), logger: logger))
        var tlsHandler: OpenSSLHandler?
        if kind == .directTLS {
            guard let tls = context.tls else { throw ListenerFailure(description: "no TLS context") }
            let handler = OpenSSLHandler(context: tls, role: .server)
            try pipeline.addHandler(handler)
            tlsHandler = handler
        }
        let namespace = kind == .component ? NS.component : NS.client
        let stream = XMPPStream(channel: channel, contentNamespace: namespace, servedDomain: context.domain,
                                limits: context.parserLimits,
                                negotiation: NegotiationLimits(maxStanzaBytes: limits.negotiationStanzaBytes, maxBytes: limits.negotiationBytes),
                                maxQueuedBytes: limits.maxQueuedBytes, pendingWork: context.pendingWork, metrics: context.metrics,
                                logger: logger)
        stream.tls = tlsHandler
        let quiet = QuietPeriods(idleTimeout: limits.idleTimeout, parserRelease: limits.idleParserRelease)
        try pipeline.addHandler(IdleStateHandler(readTimeout: quiet.period))
        try pipeline.addHandler(StreamChannelHandler(stream: stream, bytesPerSecond: limits.bytesPerSecond, burstBytes: limits.burstBytes,
                                                     quiet: quiet))
        // The owner keeps itself alive through the stream's strong reference below.
        let owner: AnyObject = kind == .component
            ? ComponentConnection(context: context, stream: stream, remoteAddress: remote)
            : C2SConnection(context: context, stream: stream, tlsHandler: tlsHandler, remoteAddress: remote)
        stream.retainOwner(owner)
        context.streams.add(stream)
        logger.info("connected")
    }
}
