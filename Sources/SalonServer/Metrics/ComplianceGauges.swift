import Foundation
import Logging
import Prometheus

/// `salon_compliance_events_pending` and `salon_compliance_lag_seconds`: read from the journal
/// at scrape time (`ComplianceStore.backlog`), never kept on the recording path.
struct ComplianceGauges: Sendable {
    let pending: Gauge
    let lag: Gauge

    init(_ registry: PrometheusCollectorRegistry) {
        pending = registry.makeGauge(descriptor: .named("salon_compliance_events_pending",
                                                        help: "Compliance journal events not yet written out by the exporter."))
        lag = registry.makeGauge(descriptor: .named(
            "salon_compliance_lag_seconds",
            help: "Age of the oldest compliance event not yet exported; 0 when none waits or compliance is off."))
    }

    /// Sets both from the journal; on a failed read they keep their last values.
    func collect(from recorder: ComplianceRecorder, now: Date = Date()) async {
        do {
            let backlog = try await recorder.store.backlog()
            pending.set(to: Double(backlog.pending))
            let age = backlog.oldest.map { now.timeIntervalSince1970 - Double($0) / 1000 } ?? 0
            lag.set(to: recorder.isEnabled ? max(0, age) : 0)
        } catch {
            recorder.logger.storageFailure("compliance metrics could not be read", error)
        }
    }
}
