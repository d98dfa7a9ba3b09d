/// Wall-clock time since it was made.
struct Stopwatch {
    private let started = ContinuousClock.now

    /// Seconds elapsed so far.
    var seconds: Double { Self.seconds(ContinuousClock.now - started) }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
