import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        var length = 0
        let ok = key.withUnsafeBufferPointer { keyBytes in
            data.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    salon_hmac(algorithm.hmacTemplate, keyBytes.baseAddress, keyBytes.count,
                               input.baseAddress, input.count, out.baseAddress, out.count, &length)
                }
            }
        }
        precondition(ok == 1 && length == algorithm.digestLength, "HMAC failed")
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

    /// `count` unpredictable bytes for nonces and identifiers, from the C library's arc4random
    /// (ChaCha20 per thread, seeded by getrandom). OpenSSL's RAND_bytes is kept for keys and
    /// salts: it goes through OpenSSL 3's locked DRBG, dear enough to notice when each login
    /// took three calls (two stream ids and the SCRAM nonce).
    public static func nonceBytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(0, count))
        output.withUnsafeMutableBytes { bytes in
            if let base = bytes.baseAddress { arc4random_buf(base, bytes.count) }
        }
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
