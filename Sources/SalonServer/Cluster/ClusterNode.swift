import Logging
import NIOCore
import SalonAdmin
import SalonSecurity

/// What a clustered server runs besides its membership: the listener other nodes' links
/// arrive on, the links this node dials, and the routing between them (issue #21).
struct ClusterNodeLinks: Sendable {
    let router: ClusterRouter
    let links: NodeLinks
    let listener: NodeLinkListener

    /// Listens on the membership's address, joins `context`'s router to the cluster; the router
    /// dials every live peer and follows the membership from now on. Before any stream exists.
    static func start(membership: ClusterMembership, secret: ClusterSecret, certificates: [TLSCertificate],
                      context: ServerContext, group: any EventLoopGroup, logger: Logger) async throws -> ClusterNodeLinks {
        var logger = logger
        logger[metadataKey: "node"] = "\(membership.node)"
        let router = ClusterRouter(membership: membership, serverDomain: context.domain, logger: logger)
        // Peers do not check each other's certificates: each proves the cluster secret bound to the TLS session.
        let links = NodeLinks(local: membership.node, secret: secret, tls: try TLSContext.client(alpn: []),
                              delegate: router, group: group, logger: logger)
        guard let (host, port) = NodeLink.hostAndPort(membership.address) else {
            throw ClusterConfigurationError("cluster.address '\(membership.address)' must be host:port")
        }
        let listener = try await NodeLinkListener.bind(host: host, port: port, node: membership.node, secret: secret,
                                                       tls: try TLSContext.server(certificates: certificates, alpn: []),
                                                       delegate: router, group: group, logger: logger)
        router.connect(router: context.router, links: links, muc: context.muc, sessions: context.sessions, resumable: context.resumption,
                      components: context.components)
        context.router.connect(cluster: router)
        return ClusterNodeLinks(router: router, links: links, listener: listener)
    }

    /// Stops dialling and accepting; what was already written goes first.
    func stop() async {
        await router.stop()
        await listener.close()
    }
}
