import Prometheus
import XMPPCore

/// One direction of stanza traffic, a counter per kind. `count` compares the element's name,
/// nothing else: stream-level elements (features, SASL, XEP-0198 `<r/>`) match no kind.
struct StanzaCounters: Sendable {
    let message: Counter
    let presence: Counter
    let iq: Counter

    init(_ registry: PrometheusCollectorRegistry, name: String, help: String) {
        message = registry.makeCounter(descriptor: .named(name, help: help), labels: [("kind", "message")])
        presence = registry.makeCounter(descriptor: .named(name, help: help), labels: [("kind", "presence")])
        iq = registry.makeCounter(descriptor: .named(name, help: help), labels: [("kind", "iq")])
    }

    func count(_ element: XMLElement, times: Int = 1) {
        switch element.name {
        case "message": message.increment(by: Int64(times))
        case "presence": presence.increment(by: Int64(times))
        case "iq": iq.increment(by: Int64(times))
        default: break
        }
    }
}
