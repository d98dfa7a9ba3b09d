import Histogram

/// Latencies in microseconds (HdrHistogram, 3 significant digits), reported in milliseconds.
struct LatencyHistogram: Sendable {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    init() { histogram.autoResize = true }

    mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(max(nanoseconds / 1000, 1))
    }

    mutating func add(_ other: LatencyHistogram) { histogram.add(other.histogram) }

    var count: UInt64 { histogram.totalCount }

    /// The latency at `percentile` (0…100), in milliseconds.
    func milliseconds(at percentile: Double) -> Double {
        count == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    var maxMilliseconds: Double { count == 0 ? 0 : Double(histogram.max) / 1000 }

    /// "p50 1.23 ms, p99 4.56 ms, max 7.89 ms"
    var summary: String {
        Report.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms", milliseconds(at: 50), milliseconds(at: 99), maxMilliseconds)
    }

    /// The same figures for a RESULT line, each key prefixed.
    func fields(_ prefix: String) -> [(String, Double)] {
        [("\(prefix)p50_ms", milliseconds(at: 50)), ("\(prefix)p99_ms", milliseconds(at: 99)), ("\(prefix)max_ms", maxMilliseconds)]
    }
}
