import Logging
import NIOCore
import SalonSecurity
import XMPPCore

/// What a stream's owner (a client session or a component) hears from the wire.
/// All calls arrive on the stream's event loop.
protocol XMPPStreamOwner: AnyObject {
    func stream(_ stream: XMPPStream, didOpen header: XMLStreamHeader)
    func stream(_ stream: XMPPStream, didReceive element: XMLElement)
    /// The peer sent `</stream:stream>`.
    func streamDidEnd(_ stream: XMPPStream)
    /// The connection is gone, for whatever reason. Called exactly once.
    func streamDidDisconnect(_ stream: XMPPStream)
    /// The peer has been silent for the idle timeout.
    func streamDidIdle(_ stream: XMPPStream)
    /// The stream has begun to close (`</stream:stream>` is on its way): the owner stops
    /// being a destination for routed traffic now, not when the connection is gone.
    func streamDidStartClosing(_ stream: XMPPStream)
    /// A stanza routed here arrived after the stream began to close: it was not written, and
    /// the owner decides where it goes instead (another resource, offline storage, a bounce).
    func stream(_ stream: XMPPStream, couldNotDeliver element: XMLElement)
}

/// One XML stream over one channel: parses what arrives, serialises what leaves, and owns the
/// stream-level chores (headers, stream errors, closing, suspending input while the owner
/// awaits storage). Its mutable state lives on `eventLoop`; `deliver` may be called from anywhere.
final class XMPPStream: @unchecked Sendable {
    let channel: Channel
    let eventLoop: EventLoop
    let logger: Logger
    /// The stream's default namespace: jabber:client or jabber:component:accept.
    let contentNamespace: String
    /// The domain we answer as in headers sent before the peer named one.
    var servedDomain: String
    weak var owner: (any XMPPStreamOwner)?
    /// Keeps the owner alive as long as the connection; released on disconnect.
    private var retainedOwner: AnyObject?

    private let parser: XMLStreamParser
    /// The parser's limits once the peer has authenticated; `negotiation` applies before.
    private let authenticatedLimits: XMLStreamLimits
    private let negotiation: NegotiationLimits
    private var authenticated = false
    /// Shared with every stream: what shutdown waits for.
    private let pendingWork: PendingWork?
    /// Output bytes the server may hold for a peer that is not reading them (in the channel's
    /// buffer and the outbox) before the stream is closed.
    let maxQueuedBytes: Int
    /// Bytes received from the peer, for the rate limit's tests and the log.
    private(set) var bytesReceived = 0
    private var pending = CircularBuffer<XMLStreamEvent>(initialCapacity: 4)
    private var pendingError: XMLStreamError?
    private var suspensions = 0
    private var headerSent = false
    /// Stanzas delivered during this turn of the loop (see `deliver(_:address:)`).
    private var outbox: ByteBuffer?
    private(set) var isClosing = false
    private var disconnected = false
    /// XEP-0352, once a client has said whether it is active: while inactive, unimportant
    /// stanzas wait there. Nil for every stream that never used it, so delivery pays one check.
    var clientState: ClientState?
    /// XEP-0198, once the client enabled it (see XMPPStream+StreamManagement.swift).
    var streamManagement: StreamManagement?
    /// Set when another stream (here or on another cluster node) resumed this one's session:
    /// what still arrives here goes there.
    var resumedElsewhere: ((XMLElement) -> Void)?
    /// The stream error this side sent, if any.
    private(set) var failure: StreamErrorCondition?
    /// Counts stanzas in and out, and disconnects of peers that fall behind.
    let metrics: ServerMetrics?

    init(channel: Channel, contentNamespace: String, servedDomain: String, limits: XMLStreamLimits,
         negotiation: NegotiationLimits = NegotiationLimits(), maxQueuedBytes: Int = 8 << 20,
         pendingWork: PendingWork? = nil, metrics: ServerMetrics? = nil, logger: Logger) {
        self.pendingWork = pendingWork
        self.metrics = metrics
        self.maxQueuedBytes = maxQueuedBytes
        self.authenticatedLimits = limits
        self.negotiation = negotiation
        self.channel = channel
        self.servedDomain = servedDomain
        self.eventLoop = channel.eventLoop
        self.contentNamespace = contentNamespace
        var negotiationLimits = limits
        negotiationLimits.maxStanzaBytes = min(limits.maxStanzaBytes, negotiation.maxStanzaBytes)
        self.parser = XMLStreamParser(limits: negotiationLimits)
        self.logger = logger
    }

    // MARK: Input

    /// Feeds bytes from the wire and runs the owner on every complete event.
    func feed(_ buffer: ByteBuffer) {
        eventLoop.assertInEventLoop()
        bytesReceived += buffer.readableBytes
        guard !isClosing else { return feedWhileClosing(buffer) }
        if !authenticated, bytesReceived > negotiation.maxBytes {
            return fail(.policyViolation, text: "Too much data before authentication.")
        }
        var events: [XMLStreamEvent] = []
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(XMLStreamError) in
                try parser.feed(bytes, into: &events)
            }
        } catch {
            pendingError = error
        }
        for event in events { pending.append(event) }
        if suspensions > 0 {
            bytesWhileSuspended += buffer.readableBytes
            if bytesWhileSuspended >= Self.maxBytesWhileSuspended, readingWanted { setReading(false) }
        }
        drain()
    }

    private func drain() {
        while suspensions == 0, !isClosing, let event = pending.popFirst() {
            dispatch(event)
        }
        if suspensions == 0, !isClosing, pending.isEmpty, let error = pendingError {
            pendingError = nil
            fail(error.condition, text: error.text)
        }
    }

    private func dispatch(_ event: XMLStreamEvent) {
        guard let owner else { return }
        switch event {
        case .streamOpened(let header): owner.stream(self, didOpen: header)
        case .stanza(let element):
            metrics?.stanzasReceived.count(element)
            owner.stream(self, didReceive: element)
        case .streamClosed: owner.streamDidEnd(self)
        }
    }

    /// Holds further input until `resume()`: the owner is awaiting something (storage, a delay)
    /// and stanzas must be handled in order. What arrives meanwhile is parsed and kept; reading
    /// from the socket stops only once `maxBytesWhileSuspended` have come in. (Stopping at once
    /// would cost two epoll changes per storage lookup, while a client waiting for an answer
    /// sends nothing anyway.)
    func suspend() {
        eventLoop.assertInEventLoop()
        suspensions += 1
        if suspensions == 1 { bytesWhileSuspended = 0 }
    }

    func resume() {
        eventLoop.assertInEventLoop()
        precondition(suspensions > 0, "resume without suspend")
        suspensions -= 1
        guard suspensions == 0 else { return }
        drain()
        if suspensions == 0, !isClosing, !readingWanted { setReading(true) }
    }

    /// Input accepted while suspended before reading stops (besides the read in progress).
    static let maxBytesWhileSuspended = 64 * 1024
    private var bytesWhileSuspended = 0

    /// Runs `work` off the event loop with input suspended, then `then` back on the loop.
    func awaiting<T: Sendable>(_ work: @escaping @Sendable () async throws -> T,
                            then: @escaping (Result<T, any Error>) -> Void) {
        awaiting(started: { $0.completeWithTask(work) }, then: then)
    }

    /// Has `start` begin work off the event loop that completes the promise it is given (from
    /// any thread, e.g. a storage callback: no task needed), with input suspended; then `then`
    /// back on the loop.
    func awaiting<T: Sendable>(started start: (EventLoopPromise<T>) -> Void,
                            then: @escaping (Result<T, any Error>) -> Void) {
        suspend()
        pendingWork?.begin()
        let promise = eventLoop.makePromise(of: T.self)
        start(promise)
        promise.futureResult.assumeIsolated().whenComplete { [self] result in
            if !isClosing { then(result) }
            resume()
            pendingWork?.end()
        }
    }

    /// At shutdown: nothing more is read or handled. What was parsed but not yet handled is
    /// dropped without an answer, so the peer knows it was not taken.
    func stopInput() {
        eventLoop.assertInEventLoop()
        suspend()
        pending.removeAll()
        pendingError = nil
        setReading(false)
    }

    private var readPausedByRate = false
    private var readingWanted = true

    private func setReading(_ on: Bool) {
        readingWanted = on
        applyAutoRead()
    }

    private func applyAutoRead() {
        let enabled = readingWanted && !readPausedByRate && !isClosing
        channel.setOption(ChannelOptions.autoRead, value: enabled).whenSuccess { [channel] in
            if enabled { channel.read() }
        }
    }

    /// The rate limiter pauses and resumes reading without disturbing suspensions.
    func setRatePaused(_ paused: Bool) {
        readPausedByRate = paused
        applyAutoRead()
    }

    /// The peer has authenticated: stanzas up to the full size are accepted from now on.
    func didAuthenticate() {
        eventLoop.assertInEventLoop()
        authenticated = true
        parser.limits = authenticatedLimits
    }

    /// A quiet stream gives back its parser and the capacity of its event queue; both come
    /// back with the next bytes. Nothing happens mid-stanza, while events wait, or once closing.
    func parkParser() {
        eventLoop.assertInEventLoop()
        guard !isClosing, pending.isEmpty, pendingError == nil, parser.park() else { return }
        if pending.capacity > Self.parkedQueueCapacity {
            pending = CircularBuffer(initialCapacity: Self.parkedQueueCapacity)
        }
    }

    /// Whether the parser is parked (for tests).
    var isParserParked: Bool { parser.isParked }

    private static let parkedQueueCapacity = 2

    /// A stream restart (after STARTTLS or SASL success): a fresh parser, and whatever the old
    /// one still held is discarded, as RFC 6120 requires.
    func restart() {
        eventLoop.assertInEventLoop()
        parser.reset()
        pending.removeAll()
        pendingError = nil
        headerSent = false
    }

    // MARK: Output

    /// Sends our stream header; `from` is the served domain. XEP-0114 streams carry no version.
    func openStream(from: String, id: String, to: String? = nil, version: Bool = true) {
        var attributes = ["id": id, "from": from, "xml:lang": "en"]
        if let to { attributes["to"] = to }
        if version { attributes["version"] = "1.0" }
        var bytes: [UInt8] = []
        XMLStreamHeader(contentNamespace: contentNamespace, attributes: attributes).serializeOpeningTag(into: &bytes)
        headerSent = true
        write(bytes: bytes, flush: false)
    }

    /// Sends one element (flushes when `flush`): the stream's own traffic (negotiation,
    /// answers to the peer). Safe from any thread; nothing is written once the stream closes.
    func send(_ element: XMLElement, flush: Bool = true) {
        guard eventLoop.inEventLoop else {
            return eventLoop.execute { [self] in send(element, flush: flush) }
        }
        guard !isClosing else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        element.serialize(into: &bytes, parentNamespace: contentNamespace)
        write(bytes: bytes, flush: flush)
        metrics?.stanzasSent.count(element)
        if streamManagement != nil, StreamManagement.isStanza(element) { count(bytes, element) }
    }

    /// Thread-safe delivery of a routed stanza. From another event loop it crosses with the rest
    /// of that loop's traffic here (see LoopCrossings), so a room's broadcasts and its other
    /// stanzas arrive in the order the room sent them. A stream that has begun to close hands
    /// the stanza back to its owner instead of writing it after `</stream:stream>` (with stream
    /// management, behind the unacknowledged stanzas the owner hands on when it ends).
    func deliver(_ element: XMLElement) {
        if eventLoop.inEventLoop { return deliverOnLoop(element) }
        LoopCrossings.run(on: eventLoop) { [self] in deliverOnLoop(element) }
    }

    private func deliverOnLoop(_ element: XMLElement) {
        if let resumedElsewhere { return resumedElsewhere(element) }
        // A closing stream's stanza waits behind what the client never acknowledged, which its
        // owner hands on when stream management ends: handed back now, it would reach offline
        // storage ahead of those.
        if let streamManagement, streamManagement.isQueueing || isClosing { return keepForLater(element, in: streamManagement) }
        guard !isClosing else { return handBack(element) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        element.serialize(into: &bytes, parentNamespace: contentNamespace)
        // Counted once handed to this stream, whether written now or held for an inactive client.
        metrics?.stanzasSent.count(element)
        if let clientState {
            clientState.notePresence(element)
            if clientState.isInactive, held(element, bytes, in: clientState) { return }
        }
        guard admits(bytes.count) else { return handBack(element) }
        write(bytes: bytes, flush: true)
        if streamManagement != nil { count(bytes, element) }
    }

    /// On the stream's loop: adds a stanza addressed by splicing (see SplicedStanza) to the
    /// outbox, which leaves in one write and one flush once the work already queued on this
    /// loop has run — a burst of room traffic costs the pipeline and the socket once. Room
    /// traffic that finds the stream closing is dropped: the archive holds it. `element` is the
    /// stanza unserialised, read only when the client said it is inactive (XEP-0352).
    func deliver(_ stanza: SplicedStanza, address: [UInt8], element: XMLElement) {
        eventLoop.assertInEventLoop()
        let length = stanza.head.count + address.count + stanza.tail.count
        if let streamManagement, streamManagement.isQueueing {
            return keepForLater(stanza.head + address + stanza.tail, in: streamManagement)
        }
        guard !isClosing else { return }
        if let clientState, clientState.isInactive, held(element, stanza.head + address + stanza.tail, in: clientState) { return }
        guard admits(length) else { return }
        if outbox == nil {
            outbox = channel.allocator.buffer(capacity: Self.outboxCapacity)
            eventLoop.execute { [self] in writeOutbox(flush: true) }
        }
        // One capacity check and three copies, rather than three appends.
        outbox!.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
            var offset = 0
            func copy(_ part: [UInt8]) {
                part.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: target[offset...]).copyMemory(from: $0) }
                offset += part.count
            }
            copy(stanza.head)
            copy(address)
            copy(stanza.tail)
            return length
        }
        // A large burst goes now: the socket takes what it can while the turn goes on.
        if outbox!.readableBytes >= Self.outboxFlushBytes { writeOutbox(flush: true) }
        if streamManagement != nil { count(stanza.head + address + stanza.tail, nil) }
    }

    private static let outboxCapacity = 4096
    private static let outboxFlushBytes = 65_536

    /// Writes what the outbox holds, ahead of anything written after it.
    private func writeOutbox(flush: Bool) {
        guard let buffer = outbox else { return }
        outbox = nil
        if flush { channel.writeAndFlush(buffer, promise: nil) } else { channel.write(buffer, promise: nil) }
    }

    /// Whether `count` more bytes may wait for the peer. While the socket takes what it is given
    /// (writable) little waits; otherwise what the channel and the outbox hold is counted, and
    /// past `maxQueuedBytes` the stream is closed instead of buffering without bound.
    func admits(_ count: Int) -> Bool {
        eventLoop.assertInEventLoop()
        if channel.isWritable { return true }
        let held = queuedBytes + count
        guard held > maxQueuedBytes else { return true }
        logger.notice("slow reader disconnected", metadata: ["queued_bytes": "\(held - count)"])
        metrics?.slowReaderDisconnects.increment()
        fail(.policyViolation, text: "The connection is not reading what it is sent.")
        return false
    }

    /// Output bytes waiting for the peer: in the channel (not yet taken by the socket), as
    /// plaintext in TLS, and in the outbox.
    var queuedBytes: Int {
        let buffered = (try? channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
        return buffered + (tls?.bufferedPlaintextBytes ?? 0) + (outbox?.readableBytes ?? 0)
    }

    /// The connection's TLS, once it has one: output may wait there too.
    weak var tls: OpenSSLHandler?

    func write(bytes: [UInt8], flush: Bool) {
        // Behind deliveries waiting in the outbox, never ahead of them.
        if outbox != nil, eventLoop.inEventLoop {
            outbox!.writeBytes(bytes)
            if flush { writeOutbox(flush: true) }
            return
        }
        let buffer = channel.allocator.buffer(bytes: bytes)
        if flush { channel.writeAndFlush(buffer, promise: nil) } else { channel.write(buffer, promise: nil) }
    }

    func flush() { channel.flush() }

    /// Sends a stream error and closes the stream (RFC 6120 §4.9).
    /// `detail` is an application-specific condition (e.g. XEP-0198 `<handled-count-too-high/>`).
    func fail(_ condition: StreamErrorCondition, text: String? = nil, detail: XMLElement? = nil) {
        guard !isClosing else { return }
        logger.info("stream error", metadata: ["condition": "\(condition.rawValue)", "text": "\(text ?? "")"])
        failure = condition
        if !headerSent { openStream(from: servedDomain, id: "error") }
        var bytes: [UInt8] = []
        var error = streamErrorElement(condition, text: text)
        if let detail { error.append(detail) }
        error.serialize(into: &bytes, parentNamespace: contentNamespace)
        write(bytes: bytes, flush: false)
        close()
    }

    /// Ends the stream cleanly: `</stream:stream>`, then waits briefly for the peer's own
    /// `</stream:stream>` before closing the connection (TLS sends close_notify on close).
    func close() {
        guard !isClosing else { return }
        isClosing = true
        pending.removeAll()
        owner?.streamDidStartClosing(self)
        if !headerSent { openStream(from: servedDomain, id: "closing") }
        writeOutbox(flush: false)
        let buffer = channel.allocator.buffer(string: XMLStreamHeader.closingTag)
        let channel = self.channel
        channel.writeAndFlush(buffer, promise: nil)
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }

    /// While closing, input is only watched for the peer's end of stream.
    private func feedWhileClosing(_ buffer: ByteBuffer) {
        var events: [XMLStreamEvent] = []
        let failed: Bool
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(XMLStreamError) in
                try parser.feed(bytes, into: &events)
            }
            failed = false
        } catch {
            failed = true
        }
        if failed || events.contains(where: { if case .streamClosed = $0 { true } else { false } }) {
            channel.close(promise: nil)
        }
    }

    func retainOwner(_ owner: AnyObject) { retainedOwner = owner }

    /// Takes what could not be written once the owner is gone (it is let go at disconnect, while
    /// a stanza routed here just before may still arrive); set by the owner as it goes.
    var undeliverable: ((XMLElement) -> Void)?

    /// A stanza this stream cannot write, to its owner, or where the owner said when it went.
    private func handBack(_ element: XMLElement) {
        if let owner { owner.stream(self, couldNotDeliver: element) } else { undeliverable?(element) }
    }

    /// Called by the channel handler when the connection is gone.
    func didDisconnect() {
        guard !disconnected else { return }
        disconnected = true
        isClosing = true
        pending.removeAll()
        outbox = nil
        owner?.streamDidDisconnect(self)
        retainedOwner = nil
    }
}

/// What an unauthenticated peer may send: smaller stanzas, and a byte budget for the whole
/// negotiation. expat re-scans an incomplete token on every read, so a large one sent in small
/// pieces costs CPU far beyond its size; these bound that cost before anyone is accountable.
struct NegotiationLimits: Sendable {
    var maxStanzaBytes = 16_384
    var maxBytes = 65_536
}
