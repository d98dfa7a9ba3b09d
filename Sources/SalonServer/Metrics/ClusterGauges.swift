import Prometheus

/// A clustered node's view of the cluster, set at scrape time: live nodes, the other nodes'
/// sessions it knows, and each outbound link's state and counts (by peer).
struct ClusterGauges: Sendable {
    let registry: PrometheusCollectorRegistry
    let liveNodes: Gauge
    let remoteSessions: Gauge

    init(_ registry: PrometheusCollectorRegistry) {
        self.registry = registry
        liveNodes = registry.makeGauge(descriptor: .named("salon_cluster_nodes_live", help: "Cluster nodes live now, this one included."))
        remoteSessions = registry.makeGauge(descriptor: .named("salon_cluster_remote_sessions",
                                                               help: "Sessions of other cluster nodes this node can route to."))
    }

    func collect(from cluster: ClusterRouter, links: NodeLinks) {
        liveNodes.set(to: Double(cluster.membership.liveNodes.count))
        remoteSessions.set(to: Double(cluster.remote.count))
        for link in links.statistics {
            let peer = [("peer", link.node)]
            registry.makeGauge(descriptor: .named("salon_cluster_link_up",
                                                  help: "Whether the link to a peer node is up (1) or being dialled (0)."),
                               labels: peer).set(to: link.isUp ? 1 : 0)
            registry.makeGauge(descriptor: .named("salon_cluster_link_frames_sent",
                                                  help: "Frames written to a peer node since its link was made."),
                               labels: peer).set(to: Double(link.framesSent))
            registry.makeGauge(descriptor: .named("salon_cluster_link_bytes_sent",
                                                  help: "Bytes written to a peer node since its link was made."),
                               labels: peer).set(to: Double(link.bytesSent))
            registry.makeGauge(descriptor: .named("salon_cluster_link_pending_bytes",
                                                  help: "Bytes held for a peer node: waiting for its link, or written and not yet sent."),
                               labels: peer)
                .set(to: Double(link.pendingBytes))
        }
    }
}
