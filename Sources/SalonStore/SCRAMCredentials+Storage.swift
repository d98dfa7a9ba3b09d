import SalonSecurity

/// How the store keeps SCRAM credentials (RFC 5802): one row per account and hash, named by
/// its SASL mechanism; the password itself is never stored.
extension SCRAMCredentials {
    /// The `mechanism` column for credentials made with `algorithm`: "SCRAM-SHA-1" or "SCRAM-SHA-256".
    static func mechanism(of algorithm: HashAlgorithm) -> String {
        algorithm.scramMechanism(plus: false)
    }

    /// The hash a `mechanism` column names; nil for a name the store never writes.
    static func algorithm(ofMechanism name: String) -> HashAlgorithm? {
        HashAlgorithm.allCases.first { mechanism(of: $0) == name }
    }

    /// Throws invalidArgument unless every field is present and of plausible size.
    func validate() throws {
        let mechanism = Self.mechanism(of: algorithm)
        guard iterations > 0 else {
            throw StoreError(.invalidArgument, "\(mechanism) iteration count must be positive")
        }
        for (field, bytes) in [("salt", salt), ("stored key", storedKey), ("server key", serverKey)] {
            guard !bytes.isEmpty, bytes.count <= InputLimits.maxCredentialFieldBytes else {
                throw StoreError(.invalidArgument,
                                 "\(mechanism) \(field) must be 1…\(InputLimits.maxCredentialFieldBytes) bytes")
            }
        }
    }
}
