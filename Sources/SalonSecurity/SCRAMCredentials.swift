/// What a server stores for one SCRAM hash (RFC 5802 §3): salted keys, never the password.
public struct SCRAMCredentials: Sendable, Hashable, Codable {
    /// The hash these keys were made with.
    public var algorithm: HashAlgorithm
    /// The per-user salt sent to clients.
    public var salt: [UInt8]
    /// PBKDF2 rounds.
    public var iterations: Int
    /// H(ClientKey).
    public var storedKey: [UInt8]
    /// HMAC(SaltedPassword, "Server Key").
    public var serverKey: [UInt8]

    /// Wraps keys loaded from storage.
    public init(algorithm: HashAlgorithm, salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.algorithm = algorithm
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// Default salt length in bytes when none is given.
    public static let defaultSaltLength = 16

    /// Derives credentials from a password (normalised with a light SASLprep/NFKC); a random salt unless one is given.
    public static func derive(password: String, algorithm: HashAlgorithm, iterations: Int = 4096, salt: [UInt8]? = nil) -> SCRAMCredentials {
        let salt = salt ?? Crypto.randomBytes(defaultSaltLength)
        let keys = SCRAMKeys(algorithm: algorithm, password: password, salt: salt, iterations: iterations)
        return SCRAMCredentials(algorithm: algorithm, salt: salt, iterations: iterations,
                                storedKey: keys.storedKey, serverKey: keys.serverKey)
    }

    /// Whether `password` matches these credentials (for PLAIN against stored SCRAM keys); constant time.
    public func verify(password: String) -> Bool {
        let keys = SCRAMKeys(algorithm: algorithm, password: password, salt: salt, iterations: iterations)
        return Crypto.constantTimeEqual(keys.storedKey, storedKey)
    }
}

/// The keys derived from a salted password, shared by server credentials and the client.
struct SCRAMKeys {
    var clientKey: [UInt8]
    var storedKey: [UInt8]
    var serverKey: [UInt8]

    init(algorithm: HashAlgorithm, password: String, salt: [UInt8], iterations: Int) {
        let salted = Crypto.pbkdf2(algorithm, password: SASLprep.passwordBytes(password), salt: salt, iterations: iterations)
        clientKey = Crypto.hmac(algorithm, key: salted, data: Array("Client Key".utf8))
        storedKey = Crypto.hash(algorithm, clientKey)
        serverKey = Crypto.hmac(algorithm, key: salted, data: Array("Server Key".utf8))
    }
}
