/// Rewrites the text of every `<body>` element of a serialized stanza (plain and XHTML-IM alike),
/// so a replaced message's stored stanza no longer carries the original words.
enum StanzaBodyRewriter {
    /// `stanza` with each body element's content replaced by `text` (escaped); unchanged when it has none.
    static func replacingBodies(of stanza: String, with text: String) -> String {
        let source = Array(stanza.utf8)
        let escaped = Array(escape(text).utf8)
        var output: [UInt8] = []
        output.reserveCapacity(source.count + escaped.count)
        var index = 0
        while let open = findBodyStart(source, from: index) {
            guard let tagEnd = endOfTag(source, from: open) else { break }
            let selfClosing = tagEnd > open && source[tagEnd - 1] == UInt8(ascii: "/")
            if selfClosing {
                // <body/> becomes <body>text</body>, keeping its attributes.
                output += source[index..<(tagEnd - 1)]
                output += Array(">".utf8) + escaped + Array("</body>".utf8)
                index = tagEnd + 1
                continue
            }
            guard let close = find(Array("</body>".utf8), in: source, from: tagEnd + 1) else { break }
            output += source[index...tagEnd]
            output += escaped
            output += source[close..<(close + 7)]
            index = close + 7
        }
        output += source[index...]
        return String(decoding: output, as: UTF8.self)
    }

    /// The offset of the next `<body` start tag (not `<bodyx`).
    private static func findBodyStart(_ source: [UInt8], from start: Int) -> Int? {
        let pattern = Array("<body".utf8)
        var from = start
        while let found = find(pattern, in: source, from: from) {
            let next = found + pattern.count
            if next < source.count, [UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: " "),
                                     UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(source[next]) {
                return found
            }
            from = next
        }
        return nil
    }

    /// The offset of the `>` ending the tag opened at `start`, skipping quoted attribute values.
    private static func endOfTag(_ source: [UInt8], from start: Int) -> Int? {
        var quote: UInt8?
        var index = start
        while index < source.count {
            let byte = source[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return index
            }
            index += 1
        }
        return nil
    }

    private static func find(_ pattern: [UInt8], in source: [UInt8], from start: Int) -> Int? {
        guard !pattern.isEmpty, source.count >= pattern.count, start <= source.count - pattern.count else { return nil }
        var index = start
        while index <= source.count - pattern.count {
            if source[index] == pattern[0], source[index..<(index + pattern.count)].elementsEqual(pattern) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// XML character data escaping.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
