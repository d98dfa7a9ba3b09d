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

    /// OpenSSL's digest, fetched once (never freed): a fetched digest spares OpenSSL 3 a lookup
    /// by name on every use, which EVP_sha1() and EVP_sha256() leave it to do.
    var evpMD: OpaquePointer {
        switch self {
        case .sha1: OpenSSLAlgorithms.sha1.digest
        case .sha256: OpenSSLAlgorithms.sha256.digest
        }
    }

    /// An HMAC context for this digest with no key, copied for each HMAC (see salon_hmac).
    var hmacTemplate: OpaquePointer {
        switch self {
        case .sha1: OpenSSLAlgorithms.sha1.hmacTemplate
        case .sha256: OpenSSLAlgorithms.sha256.hmacTemplate
        }
    }

    /// OpenSSL's name for the digest.
    fileprivate var openSSLName: String {
        switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        }
    }
}

/// Digest and HMAC objects fetched from OpenSSL's default provider once, then only read (which
/// OpenSSL allows from any thread).
private struct OpenSSLAlgorithms: @unchecked Sendable {
    let digest: OpaquePointer
    let hmacTemplate: OpaquePointer

    static let sha1 = OpenSSLAlgorithms(.sha1)
    static let sha256 = OpenSSLAlgorithms(.sha256)

    private init(_ algorithm: HashAlgorithm) {
        guard let digest = EVP_MD_fetch(nil, algorithm.openSSLName, nil),
              let template = salon_hmac_template(algorithm.openSSLName) else {
            preconditionFailure("OpenSSL has no \(algorithm.openSSLName)")
        }
        self.digest = digest
        self.hmacTemplate = template
    }
}
