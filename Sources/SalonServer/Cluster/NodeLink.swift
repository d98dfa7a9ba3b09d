import Logging
import SalonAdmin
import NIOCore
import NIOPosix
import SalonSecurity
import Synchronization

/// Why a frame was not taken for sending.
public enum NodeLinkRefusal: Error, Sendable, Hashable {
    /// The link already holds `NodeLinkOptions.maxQueuedBytes` for its peer.
    case queueFull
    /// The link was stopped (its peer left the cluster, or this node is stopping).
    case stopped
    /// No link to that node (NodeLinks: not a live peer).
    case unknownNode
}

/// The outbound link to one peer node: dials it, does TLS and the proof of the cluster secret,
/// then writes frames in the order they were given. Frames given while the link is down wait
/// for it, up to a byte bound past which they are refused; a lost connection is dialled again
/// after a pause that doubles on each failure, up to a cap. Frames written are kept until the
/// peer acknowledges them: on a new connection the peer says how many arrived, and the rest are
/// written again, so a connection that breaks loses nothing and repeats nothing while both
/// processes live (a peer that restarts has lost its state anyway).
///
/// Everything but `send`'s accounting runs on one event loop.
public final class NodeLink: @unchecked Sendable {
    public let node: String
    public let address: String
    private let local: String
    private let secret: ClusterSecret
    private let tls: TLSContext
    private let options: NodeLinkOptions
    private weak var delegate: (any NodeLinkDelegate)?
    private let eventLoop: any EventLoop
    private let logger: Logger
    /// Bytes taken by `send` and not yet written out or dropped.
    private let queuedBytes = Atomic<Int>(0)
    private let isStopped = Atomic<Bool>(false)
    /// Whether the last frame offered was refused: the reason is logged once per run of refusals.
    private let isRefusing = Atomic<Bool>(false)
    private let framesSent = Atomic<Int>(0)
    private let bytesSent = Atomic<Int>(0)
    private let isUp = Atomic<Bool>(false)
    /// Frames taken by `send` and not yet on the loop: gathered, so a burst goes out as one
    /// write (one run of TLS records, one system call) when the loop gets to it.
    private let outbox = Mutex(Outbox())

    private struct Outbox {
        var bytes: [UInt8] = []
        /// Each frame's size, in order.
        var sizes: [Int] = []
        /// A flush is queued on the loop.
        var scheduled = false
    }

    /// Frames written or to be written, together, with each one's size.
    private struct Run {
        var buffer: ByteBuffer
        var sizes: [Int]
    }

    /// Names this run of the link to the peer, which counts what it received per epoch.
    private let epoch = Hex.encode(Crypto.nonceBytes(8))

    // On `eventLoop` only.
    private var channel: (any Channel)?
    /// Runs of frames waiting for the link.
    private var waiting: [Run] = []
    /// Runs written and not yet acknowledged, oldest first; `acked` frames were before them.
    private var unacknowledged = CircularBuffer<Run>()
    private var acked: UInt64 = 0
    private var failures = 0
    /// Whether the link was ever up, and when it was made: a peer that has just joined may not
    /// listen yet, so a new link's refusals are a warning only after `quietDials`.
    private var wasUp = false
    private let made = NIODeadline.now()
    private var warned = false
    static let quietDials = TimeAmount.seconds(5)
    private var retry: Scheduled<Void>?
    private var connecting = false

    public init(node: String, address: String, local: String, secret: ClusterSecret, tls: TLSContext,
                options: NodeLinkOptions = NodeLinkOptions(), delegate: any NodeLinkDelegate,
                eventLoop: any EventLoop, logger: Logger) {
        self.node = node
        self.address = address
        self.local = local
        self.secret = secret
        self.tls = tls
        self.options = options
        self.delegate = delegate
        self.eventLoop = eventLoop
        var logger = logger
        logger[metadataKey: "node"] = "\(node)"
        logger[metadataKey: "peer_address"] = "\(address)"
        self.logger = logger
    }

    /// Starts dialling.
    public func start() {
        eventLoop.execute { self.dial() }
    }

    /// Closes the link and drops what waits; nothing is dialled again.
    public func stop() async {
        isStopped.store(true, ordering: .sequentiallyConsistent)
        let channel = try? await eventLoop.submit { () -> (any Channel)? in
            self.retry?.cancel()
            self.retry = nil
            self.dropHeld(reason: "link stopped")
            defer { self.channel = nil }
            if self.channel != nil { self.wentDown() }
            return self.channel
        }.get()
        try? await channel?.close()
    }

    /// Takes `frame` for sending, or says why not (logged once per run of refusals).
    public func send(_ frame: NodeLinkFrame) throws(NodeLinkRefusal) {
        var bytes: [UInt8] = []
        frame.element.serialize(into: &bytes, parentNamespace: NodeLinkNamespace.cluster)
        try send(serialized: bytes)
    }

    /// Takes one frame already serialised (as `send` would have), or says why not.
    func send(serialized bytes: [UInt8]) throws(NodeLinkRefusal) {
        guard !isStopped.load(ordering: .sequentiallyConsistent) else { throw .stopped }
        let size = bytes.count
        guard queuedBytes.add(size, ordering: .sequentiallyConsistent).newValue <= options.maxQueuedBytes else {
            queuedBytes.subtract(size, ordering: .sequentiallyConsistent)
            if !isRefusing.exchange(true, ordering: .sequentiallyConsistent) {
                logger.warning("cluster link refusing frames: its queue is full", metadata: ["max_queued_bytes": "\(options.maxQueuedBytes)"])
            }
            throw .queueFull
        }
        if isRefusing.exchange(false, ordering: .sequentiallyConsistent) {
            logger.notice("cluster link taking frames again")
        }
        let schedule = outbox.withLock { outbox -> Bool in
            outbox.bytes.append(contentsOf: bytes)
            outbox.sizes.append(size)
            defer { outbox.scheduled = true }
            return !outbox.scheduled
        }
        if schedule { eventLoop.execute { self.flushOutbox() } }
    }

    /// On the loop: writes what `send` gathered, or keeps it for when the link is up.
    private func flushOutbox() {
        let (bytes, sizes) = outbox.withLock { outbox in
            defer { outbox = Outbox() }
            return (outbox.bytes, outbox.sizes)
        }
        guard !sizes.isEmpty else { return }
        let run = Run(buffer: ByteBuffer(bytes: bytes), sizes: sizes)
        if let channel {
            writeFirstTime(run, on: channel)
        } else {
            waiting.append(run)
        }
    }

    /// Bytes held for the peer: waiting for the link, or written and not yet acknowledged.
    public var pendingBytes: Int { queuedBytes.load(ordering: .sequentiallyConsistent) }

    /// What this link has sent, for metrics.
    public var statistics: NodeLinkStatistics {
        NodeLinkStatistics(node: node, isUp: isUp.load(ordering: .relaxed), framesSent: framesSent.load(ordering: .relaxed),
                           bytesSent: bytesSent.load(ordering: .relaxed), pendingBytes: pendingBytes)
    }

    /// Writes frames not written before, holding them until the peer acknowledges them.
    private func writeFirstTime(_ run: Run, on channel: any Channel) {
        unacknowledged.append(run)
        write(run, on: channel)
    }

    private func write(_ run: Run, on channel: any Channel) {
        let (size, frames) = (run.buffer.readableBytes, run.sizes.count)
        channel.writeAndFlush(run.buffer).whenSuccess {
            self.framesSent.add(frames, ordering: .relaxed)
            self.bytesSent.add(size, ordering: .relaxed)
        }
    }

    /// The peer has `count` of this link's frames: those are let go of.
    private func acknowledged(_ count: UInt64) {
        guard count > acked else { return }
        var frames = count - acked
        var released = 0
        while frames > 0, var run = unacknowledged.first {
            if UInt64(run.sizes.count) <= frames {
                frames -= UInt64(run.sizes.count)
                released += run.buffer.readableBytes
                unacknowledged.removeFirst()
            } else {
                let bytes = run.sizes.prefix(Int(frames)).reduce(0, +)
                run.buffer.moveReaderIndex(forwardBy: bytes)
                run.sizes.removeFirst(Int(frames))
                unacknowledged[unacknowledged.startIndex] = run
                released += bytes
                frames = 0
            }
        }
        // A count past what was written (never, from a sound peer) settles only what was.
        acked = count - frames
        queuedBytes.subtract(released, ordering: .sequentiallyConsistent)
    }

    /// Drops what waits for the link and what it has not had acknowledged (the peer left, or
    /// this node is stopping).
    private func dropHeld(reason: String) {
        flushOutbox()
        let runs = waiting + Array(unacknowledged)
        waiting.removeAll()
        unacknowledged.removeAll()
        guard !runs.isEmpty else { return }
        let size = runs.reduce(0) { $0 + $1.buffer.readableBytes }
        logger.warning("cluster link dropped frames", metadata: ["frames": "\(runs.reduce(0) { $0 + $1.sizes.count })", "reason": "\(reason)"])
        queuedBytes.subtract(size, ordering: .sequentiallyConsistent)
    }

    private func dial() {
        guard !isStopped.load(ordering: .sequentiallyConsistent), channel == nil, !connecting else { return }
        guard let (host, port) = Self.hostAndPort(address) else {
            logger.error("cluster link cannot dial: the address is not host:port")
            return
        }
        connecting = true
        let events = NodeLinkEvents(
            up: { [self] _, channel, received in eventLoop.execute { self.up(channel, received: received) } },
            frame: { [self] peer, frame in delegate?.link(peer, received: frame) },
            acknowledged: { [self] count in eventLoop.execute { self.acknowledged(count) } },
            down: { [self] peer in eventLoop.execute { self.down(peer) } })
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(options.authenticationTimeout.timeAmount)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = OpenSSLHandler(context: tls, role: .client(serverName: nil))
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(NodeLinkChannelHandler(
                        role: .dialer(node: node, address: address, link: epoch, acked: acked), local: local, secret: secret, tls: handler,
                        options: options, events: events, logger: logger))
                }
            }
        bootstrap.connect(host: host, port: port).whenFailure { error in
            self.connecting = false
            // Once per run of failures. A new peer announces itself before its listener is
            // bound, so refusals in a new link's first moments are expected.
            if !self.warned, self.wasUp || NIODeadline.now() - self.made > Self.quietDials {
                self.warned = true
                self.logger.warning("cluster link cannot connect; dialling again with backoff", metadata: ["error": "\(error)"])
            } else if self.failures == 0 {
                self.logger.info("cluster link cannot connect yet; dialling again", metadata: ["error": "\(error)"])
            }
            self.dialLater()
        }
    }

    /// Up, and the peer has `received` of this link's frames: what it lacks is written again,
    /// then what waited.
    private func up(_ channel: any Channel, received: UInt64) {
        connecting = false
        guard !isStopped.load(ordering: .sequentiallyConsistent) else {
            channel.close(promise: nil)
            return
        }
        self.channel = channel
        failures = 0
        wasUp = true
        warned = false
        acknowledged(received)
        let resent = unacknowledged.reduce(0) { $0 + $1.sizes.count }
        if resent > 0 { logger.notice("cluster link writing again what its peer did not receive", metadata: ["frames": "\(resent)"]) }
        for run in unacknowledged { write(run, on: channel) }
        for run in waiting { writeFirstTime(run, on: channel) }
        waiting.removeAll()
        isUp.store(true, ordering: .relaxed)
        delegate?.linkUp(NodeLinkPeer(node: node, address: address, direction: .outbound))
    }

    private func down(_ peer: NodeLinkPeer?) {
        connecting = false
        if channel != nil {
            channel = nil
            wentDown()
        }
        dialLater()
    }

    private func wentDown() {
        isUp.store(false, ordering: .relaxed)
        delegate?.linkDown(NodeLinkPeer(node: node, address: address, direction: .outbound))
    }

    /// Dials again after the current backoff, which doubles with each failure up to the cap.
    private func dialLater() {
        guard !isStopped.load(ordering: .sequentiallyConsistent), retry == nil else { return }
        let factor = Int64(1) << min(failures, 30)
        let pause = min(options.initialBackoff * factor, options.maxBackoff)
        failures += 1
        retry = eventLoop.scheduleTask(in: pause.timeAmount) {
            self.retry = nil
            self.dial()
        }
    }

    /// `host:port` or `[v6]:port`.
    static func hostAndPort(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65_535).contains(port) else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
