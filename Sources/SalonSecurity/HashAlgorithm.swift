import COpenSSL

/// A hash function usable for SCRAM; the raw value is its name in SASL mechanism names.
public enum HashAlgorithm: String, Sendable, CaseIterable, Codable, Hashable {
    case sha1 = "SHA-1"
    case sha256 = "SHA-256"

    /// Output length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// The SASL mechanism name, e.g. "SCRAM-SHA-256" or "SCRAM-SHA-256-PLUS".
    public func scramMechanism(plus: Bool) -> String {
        "SCRAM-" + rawValue + (plus ? "-PLUS" : "")
    }

    /// OpenSSL's digest object (static, never freed).
    var evpMD: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        }
    }
}
