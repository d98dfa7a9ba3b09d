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
/// after a pause that doubles on each failure, up to a cap. Delivery is at most once: frames
/// written into a connection that then breaks are gone, and the caller is not told.
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
        var frames = 0
        /// A flush is queued on the loop.
        var scheduled = false
    }

    // On `eventLoop` only.
    private var channel: (any Channel)?
    /// Runs of frames (bytes, how many frames) waiting for the link.
    private var waiting: [(ByteBuffer, Int)] = []
    private var failures = 0
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
            self.dropWaiting(reason: "link stopped")
            defer { self.channel = nil }
            if self.channel != nil { self.wentDown() }
            return self.channel
        }.get()
        try? await channel?.close()
    }

    /// Takes `frame` for sending, or says why not (logged once per run of refusals).
    public func send(_ frame: NodeLinkFrame) throws(NodeLinkRefusal) {
        guard !isStopped.load(ordering: .sequentiallyConsistent) else { throw .stopped }
        var bytes: [UInt8] = []
        frame.element.serialize(into: &bytes, parentNamespace: NodeLinkNamespace.cluster)
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
            outbox.frames += 1
            defer { outbox.scheduled = true }
            return !outbox.scheduled
        }
        if schedule { eventLoop.execute { self.flushOutbox() } }
    }

    /// On the loop: writes what `send` gathered, or keeps it for when the link is up.
    private func flushOutbox() {
        let (bytes, frames) = outbox.withLock { outbox in
            defer { outbox = Outbox() }
            return (outbox.bytes, outbox.frames)
        }
        guard frames > 0 else { return }
        let buffer = ByteBuffer(bytes: bytes)
        if let channel {
            write(buffer, frames: frames, on: channel)
        } else {
            waiting.append((buffer, frames))
        }
    }

    /// Bytes held for the peer: waiting for the link or written and not yet sent.
    public var pendingBytes: Int { queuedBytes.load(ordering: .sequentiallyConsistent) }

    /// What this link has sent, for metrics.
    public var statistics: NodeLinkStatistics {
        NodeLinkStatistics(node: node, isUp: isUp.load(ordering: .relaxed), framesSent: framesSent.load(ordering: .relaxed),
                           bytesSent: bytesSent.load(ordering: .relaxed), pendingBytes: pendingBytes)
    }

    private func write(_ buffer: ByteBuffer, frames: Int, on channel: any Channel) {
        let size = buffer.readableBytes
        channel.writeAndFlush(buffer).whenComplete { result in
            if case .success = result {
                self.framesSent.add(frames, ordering: .relaxed)
                self.bytesSent.add(size, ordering: .relaxed)
            }
            self.queuedBytes.subtract(size, ordering: .sequentiallyConsistent)
        }
    }

    private func dropWaiting(reason: String) {
        flushOutbox()
        guard !waiting.isEmpty else { return }
        let size = waiting.reduce(0) { $0 + $1.0.readableBytes }
        logger.warning("cluster link dropped frames", metadata: ["frames": "\(waiting.reduce(0) { $0 + $1.1 })", "reason": "\(reason)"])
        waiting.removeAll()
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
            up: { [self] _, channel in eventLoop.execute { self.up(channel) } },
            frame: { [self] peer, frame in delegate?.link(peer, received: frame) },
            down: { [self] peer in eventLoop.execute { self.down(peer) } })
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(options.authenticationTimeout.nodeLinkTimeAmount)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = OpenSSLHandler(context: tls, role: .client(serverName: nil))
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(NodeLinkChannelHandler(
                        role: .dialer(node: node, address: address), local: local, secret: secret, tls: handler,
                        options: options, events: events, logger: logger))
                }
            }
        bootstrap.connect(host: host, port: port).whenFailure { error in
            self.connecting = false
            if self.failures == 0 {
                self.logger.warning("cluster link cannot connect; dialling again with backoff", metadata: ["error": "\(error)"])
            }
            self.dialLater()
        }
    }

    private func up(_ channel: any Channel) {
        connecting = false
        guard !isStopped.load(ordering: .sequentiallyConsistent) else {
            channel.close(promise: nil)
            return
        }
        self.channel = channel
        failures = 0
        for (buffer, frames) in waiting {
            write(buffer, frames: frames, on: channel)
        }
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
        retry = eventLoop.scheduleTask(in: pause.nodeLinkTimeAmount) {
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
