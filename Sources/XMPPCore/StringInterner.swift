/// Reuses one String for names and namespace URIs that repeat on every stanza, so the parser
/// does not allocate a fresh copy of "urn:ietf:params:xml:ns:xmpp-stanzas" each time.
/// Bounded: once full, further strings are simply created, so a hostile peer gains nothing.
struct StringInterner {
    private var table: [UInt64: String] = [:]
    private let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The string for these UTF-8 bytes (already validated by expat).
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Up to 15 UTF-8 bytes fit in a small String, which never allocates.
        guard bytes.count > 15 else { return String(decoding: bytes, as: UTF8.self) }
        let key = Self.fnv1a(bytes)
        if let existing = table[key], existing.utf8.count == bytes.count,
           existing.utf8.withContiguousStorageIfAvailable({ $0.elementsEqual(bytes) }) ?? false {
            return existing
        }
        let string = String(decoding: bytes, as: UTF8.self)
        if table.count < capacity, table[key] == nil {
            table[key] = string
        }
        return string
    }

    /// FNV-1a; a collision only costs a missed reuse, never a wrong answer.
    private static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
