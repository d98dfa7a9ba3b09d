/// Byte-level XML escaping used by the serializer.
enum XMLEscaping {
    /// Where escaped text is written: attribute values also need quotes and whitespace escaped.
    enum Context {
        case text, attribute
    }

    /// Appends `string` escaped for `context`, dropping characters XML 1.0 does not allow.
    static func append(_ string: String, to buffer: inout [UInt8], context: Context) {
        var string = string
        string.withUTF8 { bytes in
            append(bytes, to: &buffer, context: context)
        }
    }

    /// Appends UTF-8 `bytes` escaped for `context`; copies unchanged runs in one go.
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8], context: Context) {
        var runStart = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            let replacement: StaticString?
            var length = 1
            switch byte {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = context == .attribute ? "&quot;" : nil
            case UInt8(ascii: "'"): replacement = context == .attribute ? "&apos;" : nil
            // Parsers normalise literal whitespace in attributes and CR in text; char refs survive.
            case 0x09: replacement = context == .attribute ? "&#9;" : nil
            case 0x0A: replacement = context == .attribute ? "&#10;" : nil
            case 0x0D: replacement = "&#13;"
            case 0x00..<0x20: replacement = ""  // C0 controls are not XML 1.0 characters: drop
            case 0xEF:
                // U+FFFE and U+FFFF (EF BF BE / EF BF BF) are not XML characters: drop.
                if index + 2 < count, bytes[index + 1] == 0xBF, bytes[index + 2] & 0xFE == 0xBE {
                    replacement = ""
                    length = 3
                } else {
                    replacement = nil
                }
            default: replacement = nil
            }
            guard let replacement else {
                index += 1
                continue
            }
            if runStart < index {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            }
            replacement.withUTF8Buffer { buffer.append(contentsOf: $0) }
            index += length
            runStart = index
        }
        if runStart < count {
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
        }
    }
}
