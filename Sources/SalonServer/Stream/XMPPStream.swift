import Logging
import NIOCore
import Synchronization
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
    /// Stanzas handed over while the peer was not reading (the socket is not writable); past
    /// `maxQueuedStanzas` the stream is closed instead of buffering without bound.
    private let queuedWhileBlocked = Atomic<Int>(0)
    let maxQueuedStanzas: Int
    private var pending = CircularBuffer<XMLStreamEvent>()
    private var pendingError: XMLStreamError?
    private var suspensions = 0
    private var headerSent = false
    /// Stanzas delivered during this turn of the loop (see `deliver(_:address:)`).
    private var outbox: ByteBuffer?
    private(set) var isClosing = false
    private var disconnected = false

    init(channel: Channel, contentNamespace: String, servedDomain: String, limits: XMLStreamLimits,
         maxQueuedStanzas: Int = 10_000, logger: Logger) {
        self.maxQueuedStanzas = maxQueuedStanzas
        self.channel = channel
        self.servedDomain = servedDomain
        self.eventLoop = channel.eventLoop
        self.contentNamespace = contentNamespace
        self.parser = XMLStreamParser(limits: limits)
        self.logger = logger
    }

    // MARK: Input

    /// Feeds bytes from the wire and runs the owner on every complete event.
    func feed(_ buffer: ByteBuffer) {
        eventLoop.assertInEventLoop()
        guard !isClosing else { return feedWhileClosing(buffer) }
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
        case .stanza(let element): owner.stream(self, didReceive: element)
        case .streamClosed: owner.streamDidEnd(self)
        }
    }

    /// Holds further input until `resume()`: the owner is awaiting something (storage, a delay)
    /// and stanzas must be handled in order. What arrives meanwhile is parsed and kept; reading
    /// from the socket stops only once `maxBytesWhileSuspended` have come in. (Stopping at once
    /// cost two epoll changes per storage lookup — a tenth of a login — while a client waiting
    /// for an answer sends nothing anyway.)
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
        let promise = eventLoop.makePromise(of: T.self)
        start(promise)
        promise.futureResult.assumeIsolated().whenComplete { [self] result in
            if !isClosing { then(result) }
            resume()
        }
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

    /// Sends one element (flushes when `flush`). Safe from any thread: NIO hops to the loop.
    func send(_ element: XMLElement, flush: Bool = true) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        element.serialize(into: &bytes, parentNamespace: contentNamespace)
        write(bytes: bytes, flush: flush)
    }

    /// Thread-safe delivery of a routed stanza. From another event loop it crosses with the rest
    /// of that loop's traffic here (see LoopCrossings), so a room's broadcasts and its other
    /// stanzas arrive in the order the room sent them.
    func deliver(_ element: XMLElement) {
        guard admitsDelivery() else { return }
        if eventLoop.inEventLoop { return send(element) }
        LoopCrossings.run(on: eventLoop) { [self] in send(element) }
    }

    /// On the stream's loop: adds a stanza addressed by splicing (see SplicedStanza) to the
    /// outbox, which leaves in one write and one flush once the work already queued on this
    /// loop has run — a burst of room traffic costs the pipeline and the socket once.
    func deliver(_ stanza: SplicedStanza, address: [UInt8]) {
        eventLoop.assertInEventLoop()
        guard admitsDelivery() else { return }
        if outbox == nil {
            outbox = channel.allocator.buffer(capacity: Self.outboxCapacity)
            eventLoop.execute { [self] in writeOutbox(flush: true) }
        }
        // One capacity check and three copies, rather than three appends.
        let length = stanza.head.count + address.count + stanza.tail.count
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
    }

    private static let outboxCapacity = 4096

    /// Writes what the outbox holds, ahead of anything written after it.
    private func writeOutbox(flush: Bool) {
        guard let buffer = outbox else { return }
        outbox = nil
        if flush { channel.writeAndFlush(buffer, promise: nil) } else { channel.write(buffer, promise: nil) }
    }

    /// False once more than `maxQueuedStanzas` wait for a peer that stopped reading; the first
    /// refusal closes the stream.
    private func admitsDelivery() -> Bool {
        if channel.isWritable {
            queuedWhileBlocked.store(0, ordering: .relaxed)
        } else if queuedWhileBlocked.add(1, ordering: .relaxed).newValue > maxQueuedStanzas {
            if queuedWhileBlocked.load(ordering: .relaxed) == maxQueuedStanzas + 1 {
                eventLoop.execute { [self] in fail(.policyViolation, text: "The connection is not reading what it is sent.") }
            }
            return false
        }
        return true
    }

    func write(string: String, flush: Bool = true) {
        write(bytes: Array(string.utf8), flush: flush)
    }

    private func write(bytes: [UInt8], flush: Bool) {
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
    func fail(_ condition: StreamErrorCondition, text: String? = nil) {
        guard !isClosing else { return }
        logger.info("stream error", metadata: ["condition": "\(condition.rawValue)", "text": "\(text ?? "")"])
        if !headerSent { openStream(from: servedDomain, id: "error") }
        var bytes: [UInt8] = []
        streamErrorElement(condition, text: text).serialize(into: &bytes, parentNamespace: contentNamespace)
        write(bytes: bytes, flush: false)
        close()
    }

    /// Ends the stream cleanly: `</stream:stream>`, then waits briefly for the peer's own
    /// `</stream:stream>` before closing the connection (TLS sends close_notify on close).
    func close() {
        guard !isClosing else { return }
        isClosing = true
        pending.removeAll()
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
