import Foundation

/// Bounds on persistent-chat values: directory edits and messages may come from the network.
extension InputLimits {
    /// Names (categories, rooms, add-ins, groups) and room localparts are short identifiers.
    static let maxChatNameBytes = 1023
    /// Descriptions, subjects and URLs are display strings, not documents.
    static let maxChatTextBytes = 65_536
    /// Stanza IDs, nicknames and occupant IDs are short tokens.
    static let maxMessageTokenBytes = 1023
    /// Far above any stanza the server accepts: a message body or serialized stanza.
    static let maxMessageBytes = 1 << 20
    /// Timestamps are kept within years 1…9999 so their milliseconds never overflow.
    static let timestampRange: ClosedRange<TimeInterval> = -62_135_596_800 ... 253_402_300_799

    /// Throws invalidArgument unless `text` is 1…`maxBytes` bytes.
    static func checkText(_ text: String, _ role: String, maxBytes: Int, allowEmpty: Bool = false) throws {
        guard allowEmpty || !text.isEmpty, text.utf8.count <= maxBytes else {
            throw StoreError(.invalidArgument, "\(role) must be \(allowEmpty ? 0 : 1)…\(maxBytes) bytes")
        }
    }

    /// Throws invalidArgument unless `name` is a bounded, single-line display name without control characters.
    static func checkChatName(_ name: String, _ role: String) throws {
        try checkText(name, role, maxBytes: maxChatNameBytes)
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw StoreError(.invalidArgument, "\(role) must not contain control characters")
        }
    }

    /// Throws invalidArgument unless `localpart` can name a room.
    static func checkRoomLocalpart(_ localpart: String) throws {
        try checkChatName(localpart, "room localpart")
    }

    /// The time as integer milliseconds since the Unix epoch; throws invalidArgument when out of range.
    static func milliseconds(_ date: Date) throws -> Int64 {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, timestampRange.contains(seconds) else {
            throw StoreError(.invalidArgument, "timestamp out of range")
        }
        return Int64((seconds * 1000).rounded())
    }
}
