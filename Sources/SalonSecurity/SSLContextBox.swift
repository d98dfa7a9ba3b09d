import COpenSSL

/// Owns one SSL_CTX and frees it when the last Swift reference goes (SSL objects hold their own reference).
final class SSLContextBox: @unchecked Sendable {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        SSL_CTX_free(pointer)
    }
}
