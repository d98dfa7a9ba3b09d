import Prometheus

extension MetricNameDescriptor {
    /// A metric under its whole exposed name (`salon_…_total`), as the operator's
    /// documentation and dashboards spell it, with its help text.
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
