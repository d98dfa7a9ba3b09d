import COpenSSL

/// Hashes, HMAC, PBKDF2 and randomness from the system OpenSSL.
public enum Crypto {
    /// The digest of `data`.
    public static func hash(_ algorithm: HashAlgorithm, _ data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.digestLength)
        var length: UInt32 = 0
        let ok = data.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, algorithm.evpMD, nil)
            }
        }
        precondition(ok == 1 && Int(length) == algorithm.digestLength, "EVP_Digest failed")
        return output
    }

    /// HMAC of `data` under `key`.
    public static func hmac(_ algorithm: HashAlgorithm, key: [UInt8], data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.digestLength)
        var length: UInt32 = 0
        // Keys longer than Int32.max cannot reach here in practice; HMAC hashes long keys anyway.
        let key = key.count > Int(Int32.max) ? hash(algorithm, key) : key
        let result = key.withUnsafeBufferPointer { keyBytes in
            data.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    HMAC(algorithm.evpMD, keyBytes.baseAddress, Int32(keyBytes.count),
                         input.baseAddress, input.count, out.baseAddress, &length)
                }
            }
        }
        precondition(result != nil && Int(length) == algorithm.digestLength, "HMAC failed")
        return output
    }

    /// PBKDF2-HMAC (SCRAM's Hi()); the output is one digest long. Iterations are clamped to 1...Int32.max.
    public static func pbkdf2(_ algorithm: HashAlgorithm, password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.digestLength)
        let rounds = Int32(clamping: max(1, iterations))
        let ok = password.withUnsafeBufferPointer { pass in
            salt.withUnsafeBufferPointer { saltBytes in
                output.withUnsafeMutableBufferPointer { out in
                    pass.withMemoryRebound(to: CChar.self) { passChars in
                        PKCS5_PBKDF2_HMAC(passChars.baseAddress, Int32(clamping: passChars.count),
                                          saltBytes.baseAddress, Int32(clamping: saltBytes.count), rounds,
                                          algorithm.evpMD, Int32(out.count), out.baseAddress)
                    }
                }
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed")
        return output
    }

    /// `count` cryptographically secure random bytes (RAND_bytes); traps if the system has no entropy.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var output = [UInt8](repeating: 0, count: count)
        let ok = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(clamping: $0.count)) }
        // Continuing without randomness would silently weaken every key and nonce.
        precondition(ok == 1 && count <= Int(Int32.max), "RAND_bytes failed")
        return output
    }

    /// Compares in time independent of the contents (CRYPTO_memcmp); different lengths are unequal.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}
