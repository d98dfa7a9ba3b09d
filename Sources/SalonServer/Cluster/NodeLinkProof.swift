import SalonSecurity
import SalonAdmin

/// The proof each end of a node link gives that it knows the cluster secret:
/// HMAC-SHA256(secret, label | own node id | dialer's nonce | listener's nonce | TLS binding).
/// The label keeps one side's proof from being reflected back as the other's; the nonces make
/// each proof good for one link only; the TLS channel binding makes it good for this TLS
/// session only, so a relay between two TLS sessions gains nothing.
enum NodeLinkProof {
    /// Which end of the link gives the proof.
    enum Side: String {
        case dialer
        case listener
    }

    static let nonceBytes = 32

    static func make(secret: ClusterSecret, side: Side, node: String, dialerNonce: [UInt8], listenerNonce: [UInt8],
                     binding: [UInt8]) -> [UInt8] {
        var data = Array("salon-cluster-link-\(side.rawValue)".utf8)
        for part in [Array(node.utf8), dialerNonce, listenerNonce, binding] {
            // Length-prefixed, so no two different inputs join into the same bytes.
            data.append(contentsOf: withUnsafeBytes(of: UInt32(part.count).bigEndian, Array.init))
            data.append(contentsOf: part)
        }
        return Crypto.hmac(.sha256, key: secret.bytes, data: data)
    }

    static func verify(_ offered: [UInt8], secret: ClusterSecret, side: Side, node: String, dialerNonce: [UInt8],
                       listenerNonce: [UInt8], binding: [UInt8]) -> Bool {
        let expected = make(secret: secret, side: side, node: node, dialerNonce: dialerNonce, listenerNonce: listenerNonce,
                            binding: binding)
        return Crypto.constantTimeEqual(expected, offered)
    }
}
