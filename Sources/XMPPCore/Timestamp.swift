import Foundation

/// XEP-0082 date-time strings.
public enum Timestamp {
    /// The current time, formatted.
    public static func now() -> String { format(Date()) }

    /// Parses a XEP-0082 date-time (with or without fractional seconds).
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// UTC with milliseconds, e.g. 2026-11-21T23:45:45.123Z.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
