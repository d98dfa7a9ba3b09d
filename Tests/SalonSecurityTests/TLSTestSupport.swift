import NIOCore
import NIOPosix
@_spi(Testing) import SalonSecurity

/// What a `Recorder` saw, in order.
enum TLSEvent: Sendable {
    case handshake(TLSHandshakeCompleted, exporter: [UInt8]?, unique: [UInt8]?, peerNames: [String])
    case data([UInt8])
    case error(String)
    case closeNotify
    case inactive
}

/// Sits above the TLS handler (or on a plain channel) and reports everything to an AsyncStream.
final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Behaviour: Sendable {
        /// Write received data back.
        var echo = false
        /// Written and flushed as soon as the channel is active (before any handshake completes).
        var greeting: [UInt8]?
        /// Close the channel once this many bytes have arrived.
        var closeAfterBytes: Int?
        /// Finish the stream when the channel goes inactive (client side).
        var finishOnInactive = true
    }

    private let continuation: AsyncStream<TLSEvent>.Continuation
    private let tls: OpenSSLHandler?
    private let behaviour: Behaviour
    private var receivedBytes = 0

    init(continuation: AsyncStream<TLSEvent>.Continuation, tls: OpenSSLHandler?, behaviour: Behaviour) {
        self.continuation = continuation
        self.tls = tls
        self.behaviour = behaviour
    }

    func channelActive(context: ChannelHandlerContext) {
        if let greeting = behaviour.greeting {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: greeting)), promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        continuation.yield(.data(Array(buffer.readableBytesView)))
        receivedBytes += buffer.readableBytes
        if behaviour.echo {
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
        if let limit = behaviour.closeAfterBytes, receivedBytes >= limit {
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if behaviour.echo { context.flush() }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            continuation.yield(.handshake(completed, exporter: tls?.channelBinding(type: "tls-exporter"),
                                          unique: tls?.channelBinding(type: "tls-unique"),
                                          peerNames: tls?.peerCertificateDNSNames ?? []))
        } else if event is TLSCloseNotifyReceived {
            continuation.yield(.closeNotify)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        continuation.yield(.error(String(describing: error)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.yield(.inactive)
        if behaviour.finishOnInactive { continuation.finish() }
        context.fireChannelInactive()
    }
}

/// Reads a Recorder's stream, keeping received bytes and other events for later questions.
struct EventLog {
    private var iterator: AsyncStream<TLSEvent>.AsyncIterator
    private(set) var data: [UInt8] = []
    private(set) var events: [TLSEvent] = []
    private(set) var ended = false

    init(_ stream: AsyncStream<TLSEvent>) {
        iterator = stream.makeAsyncIterator()
    }

    private mutating func advance() async -> Bool {
        guard !ended, let event = await iterator.next() else {
            ended = true
            return false
        }
        if case .data(let bytes) = event { data += bytes } else { events.append(event) }
        return true
    }

    /// Waits until `count` bytes arrived (or the stream ended) and returns all bytes so far.
    mutating func data(count: Int) async -> [UInt8] {
        while data.count < count, await advance() {}
        return data
    }

    /// The first event (past or future) that `match` accepts.
    mutating func first<T>(_ match: (TLSEvent) -> T?) async -> T? {
        var index = 0
        while true {
            while index < events.count {
                if let found = match(events[index]) { return found }
                index += 1
            }
            guard await advance() else { return nil }
        }
    }

    mutating func handshake() async -> (details: TLSHandshakeCompleted, exporter: [UInt8]?, unique: [UInt8]?, peerNames: [String])? {
        await first {
            if case .handshake(let details, let exporter, let unique, let names) = $0 { return (details, exporter, unique, names) }
            return nil
        }
    }

    mutating func error() async -> String? {
        await first {
            if case .error(let text) = $0 { return text }
            return nil
        }
    }

    mutating func sawCloseNotify() async -> Bool {
        await first { if case .closeNotify = $0 { return true } else { return nil } } ?? false
    }

    mutating func inactive() async -> Bool {
        await first { if case .inactive = $0 { return true } else { return nil } } ?? false
    }

    var errors: [String] {
        events.compactMap { if case .error(let text) = $0 { return text } else { return nil } }
    }
}

/// A TLS server on 127.0.0.1 whose connections all report into one stream.
struct TestServer {
    let channel: Channel
    let events: AsyncStream<TLSEvent>
    private let continuation: AsyncStream<TLSEvent>.Continuation

    var port: Int { channel.localAddress?.port ?? 0 }

    /// `context` nil means a plain TCP server (used to run STARTTLS-style upgrades).
    static func start(context: TLSContext?, behaviour: Recorder.Behaviour = .init(),
                      extraSetup: (@Sendable (Channel, AsyncStream<TLSEvent>.Continuation) throws -> Void)? = nil) async throws -> TestServer {
        let (stream, continuation) = AsyncStream.makeStream(of: TLSEvent.self)
        var behaviour = behaviour
        behaviour.finishOnInactive = false
        let serverBehaviour = behaviour
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if let extraSetup {
                        try extraSetup(child, continuation)
                        return
                    }
                    var tls: OpenSSLHandler?
                    if let context {
                        let handler = OpenSSLHandler(context: context, role: .server)
                        try child.pipeline.syncOperations.addHandler(handler)
                        tls = handler
                    }
                    try child.pipeline.syncOperations.addHandler(Recorder(continuation: continuation, tls: tls, behaviour: serverBehaviour))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestServer(channel: channel, events: stream, continuation: continuation)
    }

    func stop() async throws {
        try await channel.close()
        continuation.finish()
    }
}

/// Connects a client (TLS unless `context` is nil) and returns its channel and event stream.
func connectClient(port: Int, context: TLSContext?, serverName: String? = "example.test",
                   behaviour: Recorder.Behaviour = .init(), autoRead: Bool = true) async throws -> (Channel, EventLog) {
    let (stream, continuation) = AsyncStream.makeStream(of: TLSEvent.self)
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelOption(.autoRead, value: autoRead)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                var tls: OpenSSLHandler?
                if let context {
                    let handler = OpenSSLHandler(context: context, role: .client(serverName: serverName))
                    try channel.pipeline.syncOperations.addHandler(handler)
                    tls = handler
                }
                try channel.pipeline.syncOperations.addHandler(Recorder(continuation: continuation, tls: tls, behaviour: behaviour))
            }
        }
        .connect(host: "127.0.0.1", port: port).get()
    return (channel, EventLog(stream))
}

extension Channel {
    /// Writes and flushes bytes from any thread.
    func send(_ bytes: [UInt8]) async throws {
        try await writeAndFlush(ByteBuffer(bytes: bytes))
    }
}
