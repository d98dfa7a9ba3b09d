import Foundation
import NIOCore
import XMPPCore

/// The last DefaultChatHistory messages of an active room, in memory, for joins (design §5).
struct RoomHistory {
    struct Entry {
        /// The groupchat message as broadcast, without `to`.
        let message: XMLElement
        let timestamp: Date
        /// Characters (Unicode scalars, as XML counts them) of its XML, for `maxchars`.
        let characters: Int
    }

    /// Oldest first; a ring, so a full history drops its oldest entry without moving the rest.
    private var entries = CircularBuffer<Entry>()
    var capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds a message as broadcast; `characters` is the length of its XML (see `characters(in:)`),
    /// counted from what the caller already has serialised.
    mutating func append(_ message: XMLElement, characters: Int, at timestamp: Date) {
        entries.append(Entry(message: message, timestamp: timestamp, characters: characters))
        trim()
    }

    /// The characters of a broadcast's XML without its `to`, which is `head` then `tail`.
    static func characters(in broadcast: SplicedStanza) -> Int {
        characters(in: broadcast.head) + characters(in: broadcast.tail)
    }

    /// The characters in UTF-8 `bytes`: every byte but continuation bytes starts one.
    static func characters(in bytes: [UInt8]) -> Int {
        bytes.reduce(0) { count, byte in byte & 0xC0 == 0x80 ? count : count + 1 }
    }

    mutating func setCapacity(_ capacity: Int) {
        self.capacity = max(1, capacity)
        trim()
    }

    private mutating func trim() {
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// What a joiner gets for its `<history/>` request (XEP-0045 §7.2.15): every limit it gives
    /// applies, and never more than the capacity.
    func select(_ request: XMLElement?, now: Date = Date()) -> [Entry] {
        var selected = Array(entries)[...]
        if let max = request?[attribute: "maxstanzas"].flatMap(Int.init) {
            selected = selected.suffix(Swift.max(0, max))
        }
        if let seconds = request?[attribute: "seconds"].flatMap(Double.init) {
            selected = selected.drop { now.timeIntervalSince($0.timestamp) > seconds }
        }
        if let since = request?[attribute: "since"].flatMap(Timestamp.parse) {
            selected = selected.drop { $0.timestamp < since }
        }
        if let maxChars = request?[attribute: "maxchars"].flatMap(Int.init) {
            var budget = maxChars
            var start = selected.endIndex
            while start > selected.startIndex, selected[start - 1].characters <= budget {
                budget -= selected[start - 1].characters
                start -= 1
            }
            selected = selected[start...]
        }
        return Array(selected)
    }
}
