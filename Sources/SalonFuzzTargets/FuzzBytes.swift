/// Reads a fuzz input's leading control bytes (mode, chunk sizes) and hands out the rest.
struct FuzzBytes {
    private(set) var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) {
        self.bytes = bytes[...]
    }

    /// The next byte, or 0 when the input is used up.
    mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// Everything not read yet.
    var rest: [UInt8] { Array(bytes) }
}

/// A small deterministic generator (xorshift), so a seed byte replays the same chunking.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt8) {
        state = 0x9E37_79B9_7F4A_7C15 ^ UInt64(seed) &* 0x100_0000_01B3
        if state == 0 { state = 1 }
    }

    mutating func next(upTo bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(max(bound, 1)))
    }
}
