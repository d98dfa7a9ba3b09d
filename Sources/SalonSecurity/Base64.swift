/// Standard padded Base64 (RFC 4648 §4) as SASL uses it; decoding is strict.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0...63 for alphabet bytes, 0xFF otherwise.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Encodes with "=" padding and no line breaks.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(alphabet[Int(value >> 6 & 63)])
            output.append(alphabet[Int(value & 63)])
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let value = UInt32(bytes[index]) << 16
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        case 2:
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(alphabet[Int(value >> 6 & 63)])
            output.append(UInt8(ascii: "="))
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes; nil unless the input is canonical padded Base64 with no whitespace or stray bits.
    public static func decode(_ s: String) -> [UInt8]? {
        var string = s
        return string.withUTF8 { decode(utf8: $0) }
    }

    /// Decodes Base64 text given as bytes, with the same strictness as `decode(_:)`.
    public static func decode<Bytes: Collection<UInt8>>(bytes: Bytes) -> [UInt8]? {
        if let result = bytes.withContiguousStorageIfAvailable({ decode(utf8: $0) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { decode(utf8: $0) }
    }

    private static func decode(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        if input.isEmpty { return [] }
        var padding = 0
        if input[input.count - 1] == UInt8(ascii: "=") { padding += 1 }
        if padding == 1 && input[input.count - 2] == UInt8(ascii: "=") { padding += 1 }
        var output = [UInt8]()
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        let table = decodeTable
        while index < input.count {
            let isLast = index + 4 == input.count
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = input[index + offset]
                let sextet: UInt8
                if isLast && offset >= 4 - padding {
                    sextet = 0
                } else {
                    sextet = table[Int(byte)]
                    if sextet == 0xFF { return nil }
                }
                value = value << 6 | UInt32(sextet)
            }
            output.append(UInt8(truncatingIfNeeded: value >> 16))
            if !isLast || padding < 2 { output.append(UInt8(truncatingIfNeeded: value >> 8)) }
            if !isLast || padding < 1 { output.append(UInt8(truncatingIfNeeded: value)) }
            if isLast {
                // Canonical form: bits hidden under the padding must be zero.
                let strayBits: UInt32 = padding == 2 ? value & 0xFFFF : padding == 1 ? value & 0xFF : 0
                if strayBits != 0 { return nil }
            }
            index += 4
        }
        return output
    }
}
