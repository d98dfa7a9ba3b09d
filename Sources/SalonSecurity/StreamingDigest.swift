import COpenSSL

/// A digest computed over data that arrives in pieces (an upload streamed to disk).
public final class StreamingDigest {
    private let context: OpaquePointer
    private let algorithm: HashAlgorithm

    public init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
        self.context = context
        precondition(EVP_DigestInit_ex(context, algorithm.evpMD, nil) == 1, "EVP_DigestInit_ex failed")
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "EVP_DigestUpdate failed")
    }

    /// The digest of everything given; the object is spent afterwards.
    public func finish() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.digestLength)
        var length: UInt32 = 0
        let ok = output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(ok == 1 && Int(length) == algorithm.digestLength, "EVP_DigestFinal_ex failed")
        return output
    }
}
