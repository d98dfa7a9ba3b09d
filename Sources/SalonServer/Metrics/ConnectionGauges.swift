import Prometheus

/// Open connections of one kind (c2s, component, http), with and without TLS, and how many
/// were accepted and refused. `ConnectionLimitHandler` moves a connection between the gauges:
/// opened, upgraded by STARTTLS, closed.
struct ConnectionGauges: Sendable {
    let plain: Gauge
    let encrypted: Gauge
    let accepted: Counter
    let refused: Counter

    init(_ registry: PrometheusCollectorRegistry, kind: String) {
        let open = "Connections open now, by kind and whether TLS protects them."
        plain = registry.makeGauge(descriptor: .named("salon_connections", help: open), labels: [("kind", kind), ("tls", "false")])
        encrypted = registry.makeGauge(descriptor: .named("salon_connections", help: open), labels: [("kind", kind), ("tls", "true")])
        accepted = registry.makeCounter(descriptor: .named("salon_connections_accepted_total",
                                                           help: "Connections accepted, by kind."), labels: [("kind", kind)])
        refused = registry.makeCounter(descriptor: .named("salon_connections_refused_total",
                                                          help: "Connections refused because their listener was full, by kind."),
                                       labels: [("kind", kind)])
    }

    func opened(tls: Bool) {
        accepted.increment()
        (tls ? encrypted : plain).increment()
    }

    func wasRefused() {
        refused.increment()
    }

    func closed(tls: Bool) {
        (tls ? encrypted : plain).decrement()
    }

    func upgraded() {
        plain.decrement()
        encrypted.increment()
    }
}
