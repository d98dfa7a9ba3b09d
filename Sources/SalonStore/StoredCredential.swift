/// Salted SCRAM keys for one mechanism (RFC 5802): the password itself is never stored.
public struct StoredCredential: Sendable, Hashable {
    /// The SASL mechanism these keys serve: "SCRAM-SHA-1" or "SCRAM-SHA-256".
    public var mechanism: String
    /// The salt given to clients.
    public var salt: [UInt8]
    /// The PBKDF2 iteration count given to clients.
    public var iterations: Int
    /// H(ClientKey), to verify a client's proof.
    public var storedKey: [UInt8]
    /// HMAC(SaltedPassword, "Server Key"), to sign the server's final message.
    public var serverKey: [UInt8]

    /// Creates a credential from already-derived SCRAM keys.
    public init(mechanism: String, salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.mechanism = mechanism
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// Throws invalidArgument unless every field is present and of plausible size.
    func validate() throws {
        guard !mechanism.isEmpty, mechanism.utf8.count <= InputLimits.maxMechanismBytes else {
            throw StoreError(.invalidArgument, "credential mechanism must be 1…\(InputLimits.maxMechanismBytes) bytes")
        }
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
