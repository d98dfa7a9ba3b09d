/// The attribute syntax SCRAM messages share (RFC 5802 §5, §7): `x=value` fields separated by commas.
enum SCRAMSyntax {
    /// Longest SCRAM message either side accepts.
    static let maximumMessageLength = 4096
    /// Longest decoded username or authzid accepted.
    static let maximumNameLength = 1024

    struct Attribute {
        var name: UInt8
        var value: ArraySlice<UInt8>
        /// Offset of the attribute's first byte in the message (used to cut off the proof).
        var start: Int
    }

    /// Splits `a=1,b=2` into attributes; nil if any field is not a letter followed by "=".
    static func attributes(_ bytes: ArraySlice<UInt8>) -> [Attribute]? {
        var result: [Attribute] = []
        var fieldStart = bytes.startIndex
        while true {
            let fieldEnd = bytes[fieldStart...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.endIndex
            let field = bytes[fieldStart..<fieldEnd]
            guard field.count >= 2, isAlpha(field[field.startIndex]),
                  field[field.startIndex + 1] == UInt8(ascii: "=")
            else { return nil }
            result.append(Attribute(name: field[field.startIndex], value: field[(field.startIndex + 2)...], start: fieldStart))
            if fieldEnd == bytes.endIndex { return result }
            fieldStart = fieldEnd + 1
        }
    }

    /// Decodes a saslname ("=2C" is ",", "=3D" is "="); nil on bad escapes, invalid UTF-8, or empty/oversized names.
    static func decodeName(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.count <= maximumNameLength * 3 else { return nil }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                guard bytes.endIndex - index >= 3 else { return nil }
                switch (bytes[index + 1], bytes[index + 2]) {
                case (UInt8(ascii: "2"), UInt8(ascii: "C")): decoded.append(UInt8(ascii: ","))
                case (UInt8(ascii: "3"), UInt8(ascii: "D")): decoded.append(UInt8(ascii: "="))
                default: return nil
                }
                index += 3
            } else {
                guard byte != 0, byte != UInt8(ascii: ",") else { return nil }
                decoded.append(byte)
                index += 1
            }
        }
        guard decoded.count <= maximumNameLength else { return nil }
        return String(validating: decoded, as: UTF8.self)
    }

    /// Encodes a name as a saslname.
    static func encodeName(_ name: String) -> [UInt8] {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: ","): encoded += Array("=2C".utf8)
            case UInt8(ascii: "="): encoded += Array("=3D".utf8)
            default: encoded.append(byte)
            }
        }
        return encoded
    }

    /// A nonce is printable ASCII except ",".
    static func isValidNonce(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: ",") }
    }

    /// A channel-binding type name: letters, digits, "." and "-".
    static func isValidBindingName(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= 64 && bytes.allSatisfy {
            isAlpha($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    /// Parses a positive decimal iteration count without overflow.
    static func parseIterations(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 10, bytes.first != UInt8(ascii: "0") else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// A fresh random nonce of printable characters.
    static func makeNonce() -> String {
        Base64.encode(Crypto.nonceBytes(24))
    }

    static func isAlpha(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func xor(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        zip(a, b).map { $0 ^ $1 }
    }
}
