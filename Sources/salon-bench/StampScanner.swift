import Foundation

/// Finds the send times embedded by `StampedMessage` in raw input, across read boundaries,
/// without parsing XML: whatever the server does to the rest of the stanza, the body's text survives.
struct StampScanner {
    private var matched = 0
    private var digits = 0
    private var value: UInt64 = 0

    /// Calls `found` with every complete stamp in `bytes`.
    mutating func scan(_ bytes: UnsafeRawBufferPointer, found: (UInt64) -> Void) {
        let marker = StampedMessage.marker
        var index = 0
        while index < bytes.count {
            if matched == 0 {
                // Skip quickly to the next possible start of the marker.
                guard let base = bytes.baseAddress,
                      let hit = memchr(base + index, Int32(marker[0]), bytes.count - index) else { return }
                index = base.distance(to: UnsafeRawPointer(hit))
            }
            let byte = bytes[index]
            index += 1
            if matched < marker.count {
                matched = byte == marker[matched] ? matched + 1 : (byte == marker[0] ? 1 : 0)
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                value = value &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if digits == StampedMessage.digits {
                    found(value)
                    reset()
                }
            } else {
                reset()
                if byte == marker[0] { matched = 1 }
            }
        }
    }

    private mutating func reset() {
        matched = 0
        digits = 0
        value = 0
    }
}
