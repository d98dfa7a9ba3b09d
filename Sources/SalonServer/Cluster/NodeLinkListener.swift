import Logging
import SalonAdmin
import NIOCore
import NIOPosix
import SalonSecurity
import Synchronization

/// Accepts node links on `cluster.address`: TLS with the server's certificate, then the link
/// stream (NodeLinkChannelHandler). Frames from proven peers go to the delegate.
public final class NodeLinkListener: Sendable {
    private let channel: any Channel
    private let accepted: AcceptedLinks

    /// The port actually bound (useful when asked for port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel, accepted: AcceptedLinks) {
        self.channel = channel
        self.accepted = accepted
    }

    /// Listens on `host:port` until `close()`.
    public static func bind(host: String, port: Int, node: String, secret: ClusterSecret, tls: TLSContext,
                            options: NodeLinkOptions = NodeLinkOptions(), delegate: any NodeLinkDelegate,
                            group: any EventLoopGroup, logger: Logger) async throws -> NodeLinkListener {
        let events = NodeLinkEvents(
            up: { peer, _, _ in delegate.linkUp(peer) },
            frame: { peer, frame in delegate.link(peer, received: frame) },
            down: { peer in if let peer { delegate.linkDown(peer) } })
        let accepted = AcceptedLinks()
        let receipts = NodeLinkReceipts()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    accepted.add(channel)
                    let handler = OpenSSLHandler(context: tls, role: .server)
                    var logger = logger
                    logger[metadataKey: "conn"] = "cluster-link"
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(NodeLinkChannelHandler(
                        role: .listener(receipts), local: node, secret: secret, tls: handler, options: options, events: events, logger: logger))
                }
            }
        do {
            return NodeLinkListener(channel: try await bootstrap.bind(host: host, port: port).get(), accepted: accepted)
        } catch {
            throw ListenerFailure(description: "cannot listen on \(host):\(port) for cluster links (cluster.address): \(error)")
        }
    }

    /// Closes the links it accepted and goes on listening, as when the network between the nodes
    /// fails: their diallers connect again and carry on where the peer's receipts say.
    public func dropLinks() async {
        for link in accepted.all {
            try? await link.close()
        }
    }

    /// Stops accepting and closes the links it accepted, as a stopping node does.
    public func close() async {
        try? await channel.close()
        await dropLinks()
    }
}

/// The connections a listener accepted and that are still open.
private final class AcceptedLinks: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = channels.withLock { $0.removeValue(forKey: key) }
        }
    }

    var all: [any Channel] {
        channels.withLock { Array($0.values) }
    }
}
