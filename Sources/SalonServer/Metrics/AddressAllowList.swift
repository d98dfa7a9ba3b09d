#if canImport(Glibc)
import Glibc
#endif

/// Which peers may read `/metrics`: addresses and CIDR ranges, IPv4 and IPv6, or everyone.
/// An IPv4 peer reached over an IPv6 socket (`::ffff:a.b.c.d`) matches as IPv4.
public struct AddressAllowList: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int
    }

    let ranges: [Range]
    let everyone: Bool

    /// Loopback only: 127.0.0.0/8 and ::1.
    public static let loopback = try! AddressAllowList(["127.0.0.0/8", "::1/128"])

    /// Parses `entries` (`any`, `10.0.0.0/8`, `192.0.2.7`, `fd00::/8`); throws naming the first bad one.
    public init(_ entries: [String]) throws(AddressAllowListError) {
        var ranges: [Range] = []
        var everyone = false
        for entry in entries {
            let text = entry.trimmingWhitespace
            if text.lowercased() == "any" {
                everyone = true
                continue
            }
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = Self.address(String(parts[0])) else { throw AddressAllowListError(entry: entry) }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let given = Int(parts[1]), (0...prefix).contains(given) else { throw AddressAllowListError(entry: entry) }
                prefix = given
            }
            ranges.append(Range(bytes: bytes, prefix: prefix))
        }
        self.ranges = ranges
        self.everyone = everyone
    }

    /// Whether the peer at `address` (an IP address's text) may read.
    public func allows(_ address: String?) -> Bool {
        if everyone { return true }
        guard let address, var bytes = Self.address(address) else { return false }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        return ranges.contains { range in range.bytes.count == bytes.count && Self.matches(bytes, range) }
    }

    private static func matches(_ bytes: [UInt8], _ range: Range) -> Bool {
        var bits = range.prefix
        for (index, byte) in range.bytes.enumerated() where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if byte & mask != bytes[index] & mask { return false }
            bits -= 8
        }
        return true
    }

    /// The address's bytes: 4 for IPv4, 16 for IPv6; nil for anything else (names are not resolved).
    static func address(_ text: String) -> [UInt8]? {
        #if canImport(Glibc)
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        #endif
        return nil
    }
}

public struct AddressAllowListError: Error, CustomStringConvertible {
    public let entry: String
    public var description: String { "'\(entry)' is not an IP address, a CIDR range or 'any'" }
}

private extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
