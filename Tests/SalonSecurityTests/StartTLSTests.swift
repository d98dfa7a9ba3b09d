import NIOCore
import NIOPosix
import Testing
import SalonSecurity

/// Server half of a STARTTLS-style upgrade: answers "STARTTLS" with "PROCEED" and inserts TLS first.
private final class StartTLSResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let tlsContext: TLSContext

    init(tlsContext: TLSContext) {
        self.tlsContext = tlsContext
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard buffer.readString(length: buffer.readableBytes) == "STARTTLS\n" else {
            context.close(promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "PROCEED\n")), promise: nil)
        // The client's ClientHello may arrive right away: TLS must be in place before this read returns.
        do {
            try context.pipeline.syncOperations.addHandler(OpenSSLHandler(context: tlsContext, role: .server), position: .first)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }
}

/// Client half: asks for STARTTLS when active and inserts TLS on "PROCEED".
private final class StartTLSInitiator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let tlsContext: TLSContext

    init(tlsContext: TLSContext) {
        self.tlsContext = tlsContext
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "STARTTLS\n")), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard buffer.readString(length: buffer.readableBytes) == "PROCEED\n" else {
            context.close(promise: nil)
            return
        }
        do {
            // Added while active: the handshake starts in handlerAdded.
            try context.pipeline.syncOperations.addHandler(
                OpenSSLHandler(context: tlsContext, role: .client(serverName: "example.test")), position: .first)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct StartTLSTests {
    @Test func upgradesAPlainConnectionInPlace() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let serverContext = try TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: [])
        let server = try await TestServer.start(context: nil) { child, continuation in
            try child.pipeline.syncOperations.addHandler(StartTLSResponder(tlsContext: serverContext))
            try child.pipeline.syncOperations.addHandler(
                Recorder(continuation: continuation, tls: nil, behaviour: .init(echo: true, finishOnInactive: false)))
        }
        var serverLog = EventLog(server.events)

        let clientContext = try TLSContext.client(alpn: [])
        let (stream, continuation) = AsyncStream.makeStream(of: TLSEvent.self)
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StartTLSInitiator(tlsContext: clientContext))
                    try channel.pipeline.syncOperations.addHandler(Recorder(continuation: continuation, tls: nil, behaviour: .init()))
                }
            }
            .connect(host: "127.0.0.1", port: server.port).get()
        var log = EventLog(stream)

        #expect(try #require(await log.handshake()).details.serverName == "example.test")
        #expect(try #require(await serverLog.handshake()).details.serverName == "example.test")
        try await client.send("<stream:stream>".bytes)
        #expect(await log.data(count: 15) == "<stream:stream>".bytes)
        #expect(await serverLog.data(count: 15) == "<stream:stream>".bytes)
        try await client.close()
        #expect(await serverLog.sawCloseNotify())
        try await server.stop()
    }
}
