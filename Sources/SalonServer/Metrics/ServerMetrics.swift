import Prometheus

/// What the server counts for `/metrics`: one swift-prometheus registry per server, and every
/// handle made from it once, here. Handles are swift-prometheus's own `Counter`, `Gauge` and
/// histogram classes (swift-metrics handlers): an increment is one relaxed atomic add, with no
/// lock and no lookup. The registry is passed in rather than taken from swift-metrics' global
/// `MetricsSystem`, which may be bootstrapped once per process while tests run many servers in
/// one; `salon serve` bootstraps the global with this same registry, so what libraries report
/// through swift-metrics is scraped too. Names and labels are listed in the README (Metrics).
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// 200 on `/health` until shutdown begins.
    let health = ServiceHealth()

    let stanzasReceived: StanzaCounters
    let stanzasSent: StanzaCounters

    let c2sConnections: ConnectionGauges
    let componentConnections: ConnectionGauges
    let httpConnections: ConnectionGauges

    let groupchatMessages: Counter
    let roomsLive: Gauge
    let occupants: Gauge
    /// Joins given history from a room's memory; loads of that history from the archive.
    let historyCacheHits: Counter
    let historyCacheMisses: Counter

    let archiveCommitMessages: ValueHistogram
    let archiveCommitSeconds: DurationHistogram

    /// Streams closed because the peer did not read what it was sent, and because it left too
    /// many stanzas unacknowledged (XEP-0198).
    let slowReaderDisconnects: Counter
    let streamManagementOverflows: Counter

    let uploadBytesReceived: Counter
    let downloadBytesSent: Counter

    /// The compliance journal's backlog, set at scrape time.
    let compliance: ComplianceGauges
    /// A clustered node's links and peers, set at scrape time.
    let cluster: ClusterGauges

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        stanzasReceived = StanzaCounters(registry, name: "salon_stanzas_received_total",
                                         help: "Stanzas received from client and component streams, by kind.")
        stanzasSent = StanzaCounters(registry, name: "salon_stanzas_sent_total",
                                     help: "Stanzas handed to client and component streams for their peers, by kind.")
        c2sConnections = ConnectionGauges(registry, kind: "c2s")
        componentConnections = ConnectionGauges(registry, kind: "component")
        httpConnections = ConnectionGauges(registry, kind: "http")
        groupchatMessages = registry.makeCounter(descriptor: .named("salon_groupchat_messages_total",
                                                                    help: "Groupchat messages archived and broadcast by rooms."))
        roomsLive = registry.makeGauge(descriptor: .named("salon_rooms_live", help: "Rooms active in memory now."))
        occupants = registry.makeGauge(descriptor: .named("salon_room_occupants", help: "Occupants of the live rooms now."))
        let history = "Joins served history from a room's memory (hit), and loads of that history from the archive (miss)."
        historyCacheHits = registry.makeCounter(descriptor: .named("salon_room_history_cache_total", help: history),
                                                labels: [("result", "hit")])
        historyCacheMisses = registry.makeCounter(descriptor: .named("salon_room_history_cache_total", help: history),
                                                  labels: [("result", "miss")])
        archiveCommitMessages = registry.makeValueHistogram(
            descriptor: .named("salon_archive_commit_messages", help: "Messages per archive group commit (rooms' and accounts' together)."),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
        archiveCommitSeconds = registry.makeDurationHistogram(
            descriptor: .named("salon_archive_commit_seconds", help: "Duration of one archive group commit, its transaction and sync."),
            buckets: [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5)])
        let disconnects = "Streams closed because their peer could not keep up."
        slowReaderDisconnects = registry.makeCounter(descriptor: .named("salon_slow_consumer_disconnects_total", help: disconnects),
                                                     labels: [("reason", "unread_output")])
        streamManagementOverflows = registry.makeCounter(descriptor: .named("salon_slow_consumer_disconnects_total", help: disconnects),
                                                         labels: [("reason", "unacknowledged_stanzas")])
        let upload = "File bytes received by uploads (in) and sent by downloads (out)."
        uploadBytesReceived = registry.makeCounter(descriptor: .named("salon_upload_bytes_total", help: upload),
                                                   labels: [("direction", "in")])
        downloadBytesSent = registry.makeCounter(descriptor: .named("salon_upload_bytes_total", help: upload),
                                                 labels: [("direction", "out")])
        compliance = ComplianceGauges(registry)
        cluster = ClusterGauges(registry)
    }

    enum AuthenticationResult: String {
        case success
        /// Wrong credentials (or binding data), counted by the login throttle.
        case failure
        /// Refused before any password check: a binding this connection does not offer.
        case refused
    }

    /// One authentication attempt. Not on a hot path: the registry finds the series under its lock.
    /// `mechanism` is a SASL mechanism Salon offers, or `component-handshake`: never client text.
    func authenticated(mechanism: String, _ result: AuthenticationResult) {
        registry.makeCounter(descriptor: .named("salon_authentications_total",
                                                help: "Authentication attempts by SASL mechanism (or component handshake) and result."),
                             labels: [("mechanism", mechanism), ("result", result.rawValue)]).increment()
    }

    /// The group commit hook `ArchiveWriter` calls (SalonStore has no metrics of its own).
    var archiveCommitObserver: @Sendable (Int, Duration) -> Void {
        { [archiveCommitMessages, archiveCommitSeconds] messages, duration in
            archiveCommitMessages.record(Double(messages))
            archiveCommitSeconds.record(duration)
        }
    }
}

extension ServerMetrics {
    func uploaded(bytes: Int) { uploadBytesReceived.increment(by: Int64(bytes)) }
    func downloaded(bytes: Int) { downloadBytesSent.increment(by: Int64(bytes)) }
}
