/// Syntax check for the IPv6 address inside a bracketed JID domainpart (RFC 4291 text form).
enum IPv6Literal {
    /// True for 8 hex groups, or fewer with one "::", optionally ending in a dotted IPv4 address.
    static func isValid(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 45 else { return false }
        let halves = splitAtDoubleColons(bytes)
        guard halves.count <= 2 else { return false }
        let compressed = halves.count == 2
        var groupCount = 0
        for (halfIndex, half) in halves.enumerated() where !half.isEmpty {
            let groups = half.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            for (groupIndex, group) in groups.enumerated() {
                let isLastGroup = halfIndex == halves.count - 1 && groupIndex == groups.count - 1
                if isLastGroup, group.contains(UInt8(ascii: ".")) {
                    guard isIPv4(group) else { return false }
                    groupCount += 2
                } else {
                    guard (1...4).contains(group.count), group.allSatisfy(isHexDigit) else { return false }
                    groupCount += 1
                }
            }
        }
        return compressed ? groupCount <= 7 : groupCount == 8
    }

    /// Splits at "::" occurrences; a result with more than two pieces is invalid.
    private static func splitAtDoubleColons(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: ":") {
                pieces.append(bytes[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        pieces.append(bytes[start...])
        return pieces
    }

    private static func isIPv4<C: Collection<UInt8>>(_ text: C) -> Bool {
        let octets = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            (1...3).contains(octet.count) && octet.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                && (Int(String(decoding: octet, as: UTF8.self)) ?? 256) <= 255
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
