import NIOCore

/// TLS for a NIO pipeline: OpenSSL over memory BIOs, ciphertext below this handler and plaintext above.
///
/// Add it first in the pipeline (for STARTTLS: right after `<proceed/>` was flushed; the SSL object is made in
/// `handlerAdded`, so the very next bytes can be the ClientHello). It fires `TLSHandshakeCompleted` inbound when
/// the handshake is done (writes made before then are queued) and `TLSCloseNotifyReceived` when the peer ends
/// the session, which is answered and closed. Failures fire a `TLSError` and close the channel.
public final class OpenSSLHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Ciphertext goes to the channel once this much waits, so writability is checked at least that often.
    static let ciphertextBatchSize = 64 * 1024
    /// Most plaintext offered to one SSL_write (partial writes make it return after one record).
    static let maximumWriteChunk = 64 * 1024
    /// Writes smaller than this are gathered so that several go into one record.
    static let coalescingThreshold = 2 * 1024
    /// TLS's largest record payload.
    static let maximumRecordPayload = 16 * 1024
    /// Plaintext is handed up in pieces of at most this size.
    static let maximumPlaintextRead = 64 * 1024
    /// Smallest free space offered to one SSL_read.
    static let minimumReadSpace = 2 * 1024
    /// How long a close waits for our close_notify to be written before closing anyway.
    static let closeTimeout = TimeAmount.seconds(5)

    enum State {
        case idle
        case handshaking
        case active
        /// Our close_notify is on its way; the channel closes once it is written.
        case closing
        case closed
    }

    struct PendingWrite {
        var data: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    enum EncryptOutcome {
        case progressed
        case stalled
        case failed(TLSError)
    }

    private let tlsContext: TLSContext
    private let role: TLSRole
    /// The session a client offers to resume.
    private let offeredSession: TLSSession?
    var connection: SSLConnection?
    var state: State = .idle
    private var completedHandshake: TLSHandshakeCompleted?

    var pendingWrites = CircularBuffer<PendingWrite>(initialCapacity: 4)
    /// How many of `pendingWrites` (from the front) a flush has released.
    var flushedWriteCount = 0
    /// Plaintext bytes in `pendingWrites`: output held here while the channel cannot take
    /// more, which a stream counts against its peer's budget. Read on the channel's loop.
    public internal(set) var bufferedPlaintextBytes = 0
    private var outputClosed = false
    var needsFlush = false
    var isWritingFlushedData = false
    var writeAgain = false

    /// Reused between SSL_reads of one read batch; dropped at read-complete so idle connections hold nothing.
    private var plaintextBuffer: ByteBuffer?
    private var deliveredPlaintext = false
    private var readRequested = false

    private var closePromise: EventLoopPromise<Void>?
    private var closeTimeoutTask: Scheduled<Void>?

    /// A handler using `context` in `role`; the SSL object is made when the handler is added.
    /// A client may offer `session`, from an earlier connection's `resumableSession()`.
    public init(context: TLSContext, role: TLSRole, offering session: TLSSession? = nil) {
        self.tlsContext = context
        self.role = role
        self.offeredSession = session
    }

    // MARK: Public state

    /// Channel-binding data for SCRAM-PLUS: "tls-exporter" (TLS 1.3, RFC 9266) or "tls-unique" (TLS 1.2, RFC 5929).
    /// Nil before the handshake completes, after the connection is gone, or for another type or version.
    public func channelBinding(type: String) -> [UInt8]? {
        guard completedHandshake != nil, let connection, !connection.isFreed else { return nil }
        switch type {
        case "tls-exporter":
            return connection.exporterChannelBinding()
        case "tls-unique":
            if case .server = role { return connection.uniqueChannelBinding(isServer: true) }
            return connection.uniqueChannelBinding(isServer: false)
        default:
            return nil
        }
    }

    /// Whether `channelBinding(type:)` has data for `type`, without deriving it (each
    /// tls-exporter derivation is an HKDF through OpenSSL's providers).
    public func hasChannelBinding(type: String) -> Bool {
        guard completedHandshake != nil, let connection, !connection.isFreed else { return false }
        switch type {
        case "tls-exporter": return connection.isTLS13
        case "tls-unique": return !connection.isTLS13
        default: return false
        }
    }

    /// The ALPN protocol chosen in the handshake.
    public var negotiatedALPN: String? { completedHandshake?.alpn }

    /// True once the handshake has completed.
    public var isHandshakeComplete: Bool { completedHandshake != nil }

    /// True when the completed handshake resumed an earlier session.
    public var isSessionResumed: Bool { completedHandshake?.resumed ?? false }

    /// On a client, the session to offer next time: in TLS 1.3 the server's newest ticket,
    /// which arrives after the handshake (so ask once the server has said something since).
    public func resumableSession() -> TLSSession? {
        guard completedHandshake != nil, let connection, !connection.isFreed else { return nil }
        return connection.resumableSession()
    }

    /// The DNS names (subjectAltName) of the certificate the peer presented; empty if none.
    public var peerCertificateDNSNames: [String] {
        guard completedHandshake != nil, let connection else { return [] }
        return connection.peerCertificateDNSNames
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        do {
            connection = try SSLConnection(context: tlsContext, role: role, offering: offeredSession)
        } catch {
            state = .closed
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        state = .handshaking
        if context.channel.isActive {
            startHandshake(context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        state = .closed
        // Queued plaintext must never leak out unencrypted.
        failPendingWrites(ChannelError.ioOnClosedChannel)
        closeTimeoutTask?.cancel()
        closeTimeoutTask = nil
        closePromise?.fail(ChannelError.ioOnClosedChannel)
        closePromise = nil
        releaseConnection()
    }

    public func channelActive(context: ChannelHandlerContext) {
        if state == .handshaking {
            startHandshake(context: context)
        }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        closeTimeoutTask?.cancel()
        closeTimeoutTask = nil
        failPendingWrites(ChannelError.ioOnClosedChannel)
        if let closePromise {
            self.closePromise = nil
            closePromise.succeed()
        }
        releaseConnection()
        context.fireChannelInactive()
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state == .handshaking || state == .active, let connection else { return }
        guard connection.feed(unwrapInboundIn(data)) else {
            fail(context: context, error: OpenSSLErrors.error("cannot buffer received TLS data"))
            return
        }
        if state == .handshaking {
            advanceHandshake(context: context)
        }
        if state == .active {
            readPlaintext(context: context)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        plaintextBuffer = nil
        flushIfNeeded(context: context)
        // Handshake bytes and partial records satisfy no read() from above: ask for more ourselves.
        if !deliveredPlaintext && readRequested && (state == .handshaking || state == .active) {
            context.read()
        }
        deliveredPlaintext = false
        context.fireChannelReadComplete()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && state == .active {
            writeFlushedData(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound

    public func read(context: ChannelHandlerContext) {
        readRequested = true
        context.read()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard state == .handshaking || state == .active, !outputClosed else {
            promise?.fail(outputClosed ? ChannelError.outputClosed : ChannelError.ioOnClosedChannel)
            return
        }
        let write = PendingWrite(data: unwrapOutboundIn(data), promise: promise)
        bufferedPlaintextBytes += write.data.readableBytes
        pendingWrites.append(write)
    }

    public func flush(context: ChannelHandlerContext) {
        flushedWriteCount = pendingWrites.count
        if state == .active {
            writeFlushedData(context: context)
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch (mode, state) {
        case (.all, .active):
            sendCloseNotifyThenClose(context: context, promise: promise)
        case (.all, .closing):
            if let closePromise {
                if let promise { closePromise.futureResult.cascade(to: promise) }
            } else {
                closePromise = promise
            }
        case (.all, _):
            state = .closed
            failPendingWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        case (.output, .active) where !outputClosed:
            let written = sendCloseNotify(context: context)
            written.futureResult.assumeIsolated().whenComplete { _ in
                context.close(mode: .output, promise: promise)
            }
        default:
            context.close(mode: mode, promise: promise)
        }
    }

    // MARK: Handshake

    private func startHandshake(context: ChannelHandlerContext) {
        advanceHandshake(context: context)
        flushIfNeeded(context: context)
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        guard state == .handshaking, let connection else { return }
        switch connection.doHandshake() {
        case .wantsMoreData:
            emitCiphertext(context: context, promise: nil)
            // The handshake's reads are ours to ask for, whatever autoRead says.
            context.read()
        case .failed(let error):
            fail(context: context, error: error)
        case .complete:
            state = .active
            emitCiphertext(context: context, promise: nil)
            connection.releaseHandshakeBuffers()
            let details = TLSHandshakeCompleted(alpn: connection.negotiatedALPN, version: connection.versionName,
                                                serverName: connection.serverName, resumed: connection.isSessionReused,
                                                cipherSuite: connection.cipherSuite)
            completedHandshake = details
            context.fireUserInboundEventTriggered(details)
            if state == .active, flushedWriteCount > 0 {
                writeFlushedData(context: context)
            }
            // What the handshake's end emitted (a server's session ticket, a client's Finished)
            // waits for the next flush: the first reply in this read, or channelReadComplete.
            // One segment, not two, and one wake-up of the peer.
        }
    }

    // MARK: Reading

    private func readPlaintext(context: ChannelHandlerContext) {
        while state == .active, let connection {
            var buffer = plaintextBuffer ?? context.channel.allocator.buffer(capacity: Self.minimumReadSpace)
            plaintextBuffer = nil
            var result = SSLConnection.ReadResult.wantsMoreData
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.minimumReadSpace) { target in
                result = connection.read(into: target)
                if case .readBytes(let count) = result { return count }
                return 0
            }
            switch result {
            case .readBytes:
                if buffer.readableBytes >= Self.maximumPlaintextRead {
                    deliver(context: context, buffer: &buffer)
                }
                plaintextBuffer = buffer
            case .wantsMoreData:
                deliver(context: context, buffer: &buffer)
                plaintextBuffer = buffer
                // Reading can produce output too (key updates, alerts).
                if state == .active, connection.pendingCiphertext > 0 {
                    emitCiphertext(context: context, promise: nil)
                }
                return
            case .closeNotify:
                deliver(context: context, buffer: &buffer)
                if state == .active {
                    context.fireUserInboundEventTriggered(TLSCloseNotifyReceived())
                }
                if state == .active {
                    sendCloseNotifyThenClose(context: context, promise: nil)
                }
                return
            case .failed(let error):
                deliver(context: context, buffer: &buffer)
                fail(context: context, error: error)
                return
            }
        }
    }

    /// Hands plaintext up, then recycles the storage if the receiver did not keep it.
    private func deliver(context: ChannelHandlerContext, buffer: inout ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        readRequested = false
        deliveredPlaintext = true
        context.fireChannelRead(wrapInboundOut(buffer))
        buffer.clear()
    }

    // MARK: Closing and failure

    /// Sends flushed writes and then close_notify; the returned promise completes when it is written.
    private func sendCloseNotify(context: ChannelHandlerContext) -> EventLoopPromise<Void> {
        // Directly, not through writeFlushedData: a close from inside a write callback must still send everything first.
        encryptFlushedWrites(context: context, ignoringWritability: true)
        outputClosed = true
        failPendingWrites(ChannelError.outputClosed)
        connection?.shutdown()
        let written = context.eventLoop.makePromise(of: Void.self)
        emitCiphertext(context: context, promise: written)
        flushIfNeeded(context: context)
        return written
    }

    /// Our side of an orderly TLS close: close_notify out, then the channel closes.
    private func sendCloseNotifyThenClose(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        closePromise = promise
        let written = sendCloseNotify(context: context)
        guard state == .active else {
            // The channel went away while we wrote.
            return
        }
        state = .closing
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.finishClose(context: context)
        }
        if state == .closing {
            closeTimeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeTimeout) {
                self.finishClose(context: context)
            }
        }
    }

    private func finishClose(context: ChannelHandlerContext) {
        guard state == .closing else { return }
        state = .closed
        closeTimeoutTask?.cancel()
        closeTimeoutTask = nil
        let promise = closePromise
        closePromise = nil
        context.close(mode: .all, promise: promise)
    }

    /// Sends any alert OpenSSL produced, reports the error and closes.
    func fail(context: ChannelHandlerContext, error: TLSError) {
        guard state != .closed, state != .idle else { return }
        state = .closed
        emitCiphertext(context: context, promise: nil)
        flushIfNeeded(context: context)
        failPendingWrites(error)
        context.fireErrorCaught(error)
        let promise = closePromise
        closePromise = nil
        context.close(mode: .all, promise: promise)
    }

    private func failPendingWrites(_ error: Error) {
        flushedWriteCount = 0
        bufferedPlaintextBytes = 0
        while let write = pendingWrites.popFirst() {
            write.promise?.fail(error)
        }
    }

    private func releaseConnection() {
        connection?.free()
        connection = nil
        plaintextBuffer = nil
    }
}

@available(*, unavailable)
extension OpenSSLHandler: Sendable {}
