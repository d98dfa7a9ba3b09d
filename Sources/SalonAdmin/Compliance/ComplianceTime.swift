import Foundation

/// A journal time as the persistent-chat compliance XML writes it (`DateTimeUTC`,
/// `StartTimeUTC`, `EndTimeUTC`): milliseconds since 1970, ISO 8601 UTC with seven fractional
/// digits, and .NET ticks (100 ns since 0001-01-01).
public struct ComplianceTime: Sendable, Hashable {
    public let milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// .NET ticks at 1970-01-01T00:00:00Z.
    public static let unixEpochTicks: Int64 = 621_355_968_000_000_000

    public var ticks: Int64 { Self.unixEpochTicks + milliseconds * 10_000 }

    /// "2026-12-06T12:34:56.7890000Z".
    public var iso8601: String {
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var whole = seconds.quotient
        var millis = seconds.remainder
        if millis < 0 {
            whole -= 1
            millis += 1000
        }
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis) * 10_000)
    }
}
