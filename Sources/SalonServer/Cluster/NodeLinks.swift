import Logging
import SalonAdmin
import NIOCore
import SalonSecurity
import Synchronization
import XMPPCore

/// This node's outbound links, one per live peer: `update` opens links to peers that joined
/// and stops those to peers that departed (or moved to another address). Frames for a node
/// without a link are refused, never held.
public final class NodeLinks: Sendable {
    private let local: String
    private let secret: ClusterSecret
    private let tls: TLSContext
    private let options: NodeLinkOptions
    private let delegate: any NodeLinkDelegate
    private let group: any EventLoopGroup
    private let logger: Logger
    private let links = Mutex<[String: NodeLink]>([:])

    /// `local`: this node's id, which links to it are skipped for. The client TLS context need
    /// not verify certificates: the peers prove the cluster secret bound to the TLS session.
    public init(local: String, secret: ClusterSecret, tls: TLSContext, options: NodeLinkOptions = NodeLinkOptions(),
                delegate: any NodeLinkDelegate, group: any EventLoopGroup, logger: Logger) {
        self.local = local
        self.secret = secret
        self.tls = tls
        self.options = options
        self.delegate = delegate
        self.group = group
        self.logger = logger
    }

    /// Makes the links match `peers` (node id → `host:port`).
    public func update(peers: [String: String]) async {
        let wanted = peers.filter { $0.key != local }
        let (opened, closed) = links.withLock { links -> ([NodeLink], [NodeLink]) in
            var closed: [NodeLink] = []
            for (node, link) in links where wanted[node] != link.address {
                closed.append(link)
                links[node] = nil
            }
            var opened: [NodeLink] = []
            for (node, address) in wanted where links[node] == nil {
                let link = NodeLink(node: node, address: address, local: local, secret: secret, tls: tls, options: options,
                                    delegate: delegate, eventLoop: group.next(), logger: logger)
                links[node] = link
                opened.append(link)
            }
            return (opened, closed)
        }
        for link in closed { await link.stop() }
        for link in opened { link.start() }
    }

    /// The live nodes' link addresses, by id.
    static func addresses(of membership: ClusterMembership) -> [String: String] {
        Dictionary(membership.liveNodes.map { ($0.id, $0.address) }, uniquingKeysWith: { first, _ in first })
    }

    /// Sends `frame` to `node`, or says why not.
    public func send(_ frame: NodeLinkFrame, to node: String) throws(NodeLinkRefusal) {
        try link(to: node).send(frame)
    }

    /// Sends a frame already serialised to `node`, or says why not.
    func send(serialized frame: [UInt8], to node: String) throws(NodeLinkRefusal) {
        try link(to: node).send(serialized: frame)
    }

    /// Bytes held for `node` (waiting for its link, or written and not yet sent); nil without a link.
    public func pendingBytes(for node: String) -> Int? {
        links.withLock { $0[node] }?.pendingBytes
    }

    /// Each outbound link's counts, by peer id.
    public var statistics: [NodeLinkStatistics] {
        links.withLock { Array($0.values) }.map(\.statistics).sorted { $0.node < $1.node }
    }

    /// The peers a link is kept to.
    public var peers: [String] {
        links.withLock { $0.keys.sorted() }
    }

    /// Stops every link.
    public func stop() async {
        let all = links.withLock { links in defer { links = [:] }; return Array(links.values) }
        for link in all { await link.stop() }
    }

    private func link(to node: String) throws(NodeLinkRefusal) -> NodeLink {
        guard let link = links.withLock({ $0[node] }) else { throw .unknownNode }
        return link
    }
}
