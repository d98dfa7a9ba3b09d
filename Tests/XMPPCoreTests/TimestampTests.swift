import Foundation
import Testing
import XMPPCore

@Suite("XEP-0082 date-time strings")
struct TimestampTests {
    @Test("Formatted in UTC with milliseconds, and parsed back with or without fractional seconds")
    func formatAndParse() throws {
        let date = Date(timeIntervalSince1970: 1_795_304_745.125)
        #expect(Timestamp.format(date) == "2026-11-21T23:45:45.125Z")
        let parsed = try #require(Timestamp.parse("2026-11-21T23:45:45.125Z"))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
        #expect(Timestamp.parse("2026-11-21T23:45:45Z") == Date(timeIntervalSince1970: 1_795_304_745))
        #expect(Timestamp.parse("yesterday") == nil)
    }
}
