import Synchronization

/// Client-side cache of derived SCRAM keys (RFC 5802 §5.1 lets a client cache them for
/// re-authentication to the same service): a client that logs in again with the same
/// password, salt and iteration count skips PBKDF2. Bounded; emptied when full.
enum SCRAMKeyCache {
    struct Key: Hashable {
        let algorithm: HashAlgorithm
        let password: String
        let salt: [UInt8]
        let iterations: Int
    }

    static let capacity = 10_000
    private static let entries = Mutex<[Key: SCRAMKeys]>([:])

    static func keys(algorithm: HashAlgorithm, password: String, salt: [UInt8], iterations: Int) -> SCRAMKeys {
        let key = Key(algorithm: algorithm, password: password, salt: salt, iterations: iterations)
        if let cached = entries.withLock({ $0[key] }) { return cached }
        let keys = SCRAMKeys(algorithm: algorithm, password: password, salt: salt, iterations: iterations)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = keys
        }
        return keys
    }
}
