import NIOCore
import NIOEmbedded
import Testing
@_spi(Testing) import SalonSecurity

/// Keeps user events and errors seen at the end of an EmbeddedChannel's pipeline.
private final class EventCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var handshakes: [TLSHandshakeCompleted] = []
    var closeNotifies = 0

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let handshake = event as? TLSHandshakeCompleted { handshakes.append(handshake) }
        if event is TLSCloseNotifyReceived { closeNotifies += 1 }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Counts read() requests that reach the transport.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// Two EmbeddedChannels joined by hand: every byte moves only when `pump` says so.
private struct EmbeddedPair {
    let client: EmbeddedChannel
    let server: EmbeddedChannel
    let clientTLS: OpenSSLHandler
    let serverTLS: OpenSSLHandler
    let clientEvents = EventCollector()
    let serverEvents = EventCollector()
    let fixtures: CertificateFixtures

    /// `clientSuites`: the TLS 1.3 suites the client offers, in its order (OpenSSL's default otherwise).
    init(alpn: [String] = ["xmpp-client"], clientSuites: String? = nil) throws {
        fixtures = try CertificateFixtures()
        let serverContext = try TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: alpn)
        let clientContext = try TLSContext.client(alpn: alpn)
        if let clientSuites, !clientContext.offerTLS13SuitesForTesting(clientSuites) {
            throw TLSError(message: "cannot offer \(clientSuites)")
        }
        clientTLS = OpenSSLHandler(context: clientContext, role: .client(serverName: "example.test"))
        serverTLS = OpenSSLHandler(context: serverContext, role: .server)
        client = EmbeddedChannel()
        server = EmbeddedChannel()
        try client.pipeline.syncOperations.addHandlers([clientTLS, clientEvents])
        try server.pipeline.syncOperations.addHandlers([serverTLS, serverEvents])
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 5223)
        try server.connect(to: address).wait()
        try client.connect(to: address).wait()
    }

    /// Moves ciphertext both ways until both sides are quiet; returns the bytes moved client → server.
    @discardableResult
    func pump() throws -> Int {
        var clientToServer = 0
        var moved = true
        while moved {
            moved = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                clientToServer += bytes.readableBytes
                if server.isActive { try server.writeInbound(bytes) }
                moved = true
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                if client.isActive { try client.writeInbound(bytes) }
                moved = true
            }
        }
        return clientToServer
    }

    func readAll(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var result: [UInt8] = []
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { result += buffer.readableBytesView }
        return result
    }

    func finish() {
        // Accept closed channels so the embedded loop still runs its teardown tasks.
        _ = try? client.finish(acceptAlreadyClosed: true)
        _ = try? server.finish(acceptAlreadyClosed: true)
        fixtures.remove()
    }
}

private final class CompletionFlag {
    var isSet = false
}

extension EventLoopFuture {
    /// On the embedded loop callbacks of completed futures run at once, so this reads the state synchronously.
    fileprivate var isCompleted: Bool {
        let flag = CompletionFlag()
        assumeIsolated().whenComplete { _ in flag.isSet = true }
        return flag.isSet
    }
}

@Suite struct TLSEmbeddedTests {
    @Test func handshakeQueuesEarlyWritesAndEncryptsThem() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        let written = pair.client.eventLoop.makePromise(of: Void.self)
        pair.client.writeAndFlush(ByteBuffer(string: "early secret"), promise: written)
        // Only the ClientHello left so far, and no plaintext.
        var hello = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        #expect(try pair.client.readOutbound(as: ByteBuffer.self) == nil)
        #expect(!String(decoding: hello.readableBytesView, as: UTF8.self).contains("early secret"))
        #expect(!pair.clientTLS.isHandshakeComplete)
        try pair.server.writeInbound(hello.readSlice(length: hello.readableBytes)!)

        try pair.pump()
        #expect(pair.clientTLS.isHandshakeComplete && pair.serverTLS.isHandshakeComplete)
        #expect(pair.clientEvents.handshakes.count == 1 && pair.serverEvents.handshakes.count == 1)
        #expect(pair.clientTLS.negotiatedALPN == "xmpp-client")
        #expect(try pair.readAll(pair.server) == "early secret".bytes)
        #expect(written.futureResult.isCompleted)

        let exporter = pair.clientTLS.channelBinding(type: "tls-exporter")
        #expect(exporter != nil)
        #expect(exporter == pair.serverTLS.channelBinding(type: "tls-exporter"))

        try pair.server.writeAndFlush(ByteBuffer(string: "reply")).wait()
        try pair.pump()
        #expect(try pair.readAll(pair.client) == "reply".bytes)
    }

    /// The server's TLS 1.3 preference: AES-128-GCM (SHA-256 key schedule) over the AES-256-GCM
    /// OpenSSL's clients list first, but ChaCha20 for a client that puts it first.
    @Test(arguments: [
        (nil, "TLS_AES_128_GCM_SHA256"),
        ("TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"),
        ("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"),
        ("TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"),
    ] as [(String?, String)])
    func serverChoosesTheTLS13Suite(offered: String?, chosen: String) throws {
        let pair = try EmbeddedPair(clientSuites: offered)
        defer { pair.finish() }
        try pair.pump()
        #expect(pair.serverEvents.handshakes.map(\.cipherSuite) == [chosen])
        #expect(pair.clientEvents.handshakes.map(\.cipherSuite) == [chosen])
        #expect(pair.serverEvents.handshakes.first?.version == "TLSv1.3")
    }

    @Test func garbageFiresAnErrorAndCloses() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        let pending = pair.server.eventLoop.makePromise(of: Void.self)
        pair.server.writeAndFlush(ByteBuffer(string: "never sent"), promise: pending)
        #expect(throws: TLSError.self) {
            try pair.server.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n"))
        }
        #expect(!pair.server.isActive)
        #expect(throws: TLSError.self) { try pending.futureResult.wait() }
        // More bytes after the failure are ignored, not a crash.
        _ = try? pair.server.writeInbound(ByteBuffer(string: "more"))
        #expect(try pair.readAll(pair.server).isEmpty)
    }

    @Test func truncatedAndCorruptedRecordsAreRejected() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        try pair.pump()
        pair.client.writeAndFlush(ByteBuffer(string: "payload"), promise: nil)
        var record = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        var bytes = Array(record.readableBytesView)
        bytes[bytes.count - 1] ^= 0xFF
        // Half a record is just waited on; the corrupted rest fails authentication.
        try pair.server.writeInbound(ByteBuffer(bytes: bytes.prefix(5)))
        #expect(pair.server.isActive)
        #expect(throws: TLSError.self) { try pair.server.writeInbound(ByteBuffer(bytes: bytes.dropFirst(5))) }
        #expect(!pair.server.isActive)
        record.clear()
    }

    @Test func respectsWritability() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        try pair.pump()
        pair.client.isWritable = false
        let payload = Crypto.randomBytes(300_000)
        let written = pair.client.eventLoop.makePromise(of: Void.self)
        pair.client.writeAndFlush(ByteBuffer(bytes: payload), promise: written)
        // Nothing is pulled through SSL_write while the channel cannot take it.
        #expect(try pair.client.readOutbound(as: ByteBuffer.self) == nil)
        #expect(!written.futureResult.isCompleted)

        pair.client.isWritable = true
        pair.client.pipeline.fireChannelWritabilityChanged()
        let moved = try pair.pump()
        #expect(moved > payload.count)
        #expect(written.futureResult.isCompleted)
        #expect(try pair.readAll(pair.server) == payload)
    }

    @Test func closeSendsCloseNotifyAndThePeerAnswers() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        try pair.pump()
        pair.client.writeAndFlush(ByteBuffer(string: "last words"), promise: nil)
        let closed = pair.client.eventLoop.makePromise(of: Void.self)
        pair.client.close(promise: closed)
        try closed.futureResult.wait()
        #expect(!pair.client.isActive)
        let sent = try pair.pump()
        #expect(sent > 0)
        #expect(try pair.readAll(pair.server) == "last words".bytes)
        #expect(pair.serverEvents.closeNotifies == 1)
        #expect(!pair.server.isActive)
        // Writes after close fail cleanly.
        #expect(throws: (any Error).self) { try pair.client.writeAndFlush(ByteBuffer(string: "late")).wait() }
    }

    @Test func closeFromAWriteCallbackStillSendsEarlierWrites() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        try pair.pump()
        let client = pair.client
        let first = client.eventLoop.makePromise(of: Void.self)
        let second = client.eventLoop.makePromise(of: Void.self)
        first.futureResult.assumeIsolated().whenComplete { _ in
            // Runs inside the handler's own flush: the stream error, then close.
            client.writeAndFlush(ByteBuffer(string: "</stream:stream>"), promise: second)
            client.close(promise: nil)
        }
        client.writeAndFlush(ByteBuffer(string: "<error/>"), promise: first)
        try second.futureResult.wait()
        try pair.pump()
        #expect(try pair.readAll(pair.server) == "<error/></stream:stream>".bytes)
        #expect(pair.serverEvents.closeNotifies == 1)
    }

    @Test func removingTheHandlerReleasesTLS() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        try pair.pump()
        let queued = pair.client.eventLoop.makePromise(of: Void.self)
        pair.client.isWritable = false
        pair.client.writeAndFlush(ByteBuffer(string: "queued"), promise: queued)
        try pair.client.pipeline.syncOperations.removeHandler(pair.clientTLS).wait()
        #expect(throws: (any Error).self) { try queued.futureResult.wait() }
        #expect(pair.clientTLS.channelBinding(type: "tls-exporter") == nil)
        pair.client.isWritable = true
        _ = try pair.client.close().wait()
    }

    @Test func unansweredReadsAreRepeated() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        try pair.pump()
        let counter = ReadCounter()
        try pair.server.pipeline.syncOperations.addHandler(counter, position: .first)
        pair.client.writeAndFlush(ByteBuffer(string: "split record"), promise: nil)
        let record = Array(try #require(try pair.client.readOutbound(as: ByteBuffer.self)).readableBytesView)

        // With autoRead off, the layer above asks once; half a record answers nothing, so TLS asks again.
        pair.server.read()
        #expect(counter.reads == 1)
        try pair.server.writeInbound(ByteBuffer(bytes: record.prefix(10)))
        #expect(counter.reads == 2)
        try pair.server.writeInbound(ByteBuffer(bytes: record.dropFirst(10)))
        #expect(try pair.readAll(pair.server) == "split record".bytes)
        // Answered: no read of its own until someone asks again.
        #expect(counter.reads == 2)
    }

    @Test func handlerAddedBeforeActivationStartsOnActive() throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try channel.pipeline.syncOperations.addHandler(
            OpenSSLHandler(context: TLSContext.client(alpn: []), role: .client(serverName: "127.0.0.1")))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5223)).wait()
        let hello = try #require(try channel.readOutbound(as: ByteBuffer.self))
        // A TLS handshake record: content type 22.
        #expect(hello.getInteger(at: hello.readerIndex, as: UInt8.self) == 22)
    }
}
