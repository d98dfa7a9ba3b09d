import Foundation
import SalonSecurity

/// The signed, expiring permission a PUT URL carries: HMAC-SHA-256 under a server secret over
/// the slot, its size, its content type and the expiry. Only the upload service makes one, so
/// a PUT needs no login, and a token does not outlive its slot.
struct UploadToken: Sendable, Equatable {
    let slot: String
    let size: Int64
    let contentType: String
    /// Seconds since the Unix epoch.
    let expires: Int64

    /// `<expires>.<hex signature>`, as carried in the PUT URL's `token` query item.
    func encoded(key: [UInt8]) -> String {
        "\(expires).\(Hex.encode(signature(key: key)))"
    }

    /// True when `token` was made by `encoded` for this slot, size and type with `key`, and has
    /// not expired at `now`. Compared in constant time.
    static func verify(_ token: String, slot: String, size: Int64, contentType: String, key: [UInt8], now: Date) -> Bool {
        let parts = token.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, parts[0].count <= 12, let expires = Int64(parts[0]), parts[1].count == 64 else { return false }
        let claimed = UploadToken(slot: slot, size: size, contentType: contentType, expires: expires)
        guard Crypto.constantTimeEqual(Array(Hex.encode(claimed.signature(key: key)).utf8), Array(parts[1].lowercased().utf8)) else {
            return false
        }
        return Double(expires) > now.timeIntervalSince1970
    }

    private func signature(key: [UInt8]) -> [UInt8] {
        // Fields joined by NUL, which none of them can contain (names and types are checked).
        Crypto.hmac(.sha256, key: key, data: Array("salon-upload\0\(slot)\0\(size)\0\(contentType)\0\(expires)".utf8))
    }
}
