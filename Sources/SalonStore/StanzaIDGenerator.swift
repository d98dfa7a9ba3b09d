import Foundation
import Glibc

extension StoredMessage {
    /// A new XEP-0359 stanza-id: a version 7 UUID (milliseconds since 1970, then 74 random bits).
    /// Time-ordered ids land at the end of the archive's stanza-id index instead of on a random
    /// page, which keeps group commits small: with random (version 4) ids every message of a
    /// batch dirties its own index page.
    public static func newStanzaID(at date: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, min(date.timeIntervalSince1970 * 1000, Double(UInt64(1) << 47))))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        // One getrandom call for all ten bytes (SystemRandomNumberGenerator makes one per 8).
        bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress! + 6, 10) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // RFC 9562 variant
        return uuidString(bytes)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// The canonical 8-4-4-4-12 uppercase form (what UUID.uuidString gives, without its formatting cost).
    static func uuidString(_ bytes: [UInt8]) -> String {
        let digits = hexDigits
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
