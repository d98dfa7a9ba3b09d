import COpenSSL
import NIOCore

/// One SSL object over two memory BIOs: ciphertext in through `feed`, out through `drainCiphertext`.
/// Every call clears the thread's error queue first, since all channels of an event loop share it.
final class SSLConnection {
    enum HandshakeResult {
        case complete
        case wantsMoreData
        case failed(TLSError)
    }

    enum ReadResult {
        case readBytes(Int)
        case wantsMoreData
        case closeNotify
        case failed(TLSError)
    }

    enum WriteResult {
        case wroteBytes(Int)
        case wantsMoreData
        case failed(TLSError)
    }

    /// Kept alive while the SSL exists: OpenSSL callbacks point into it.
    let context: TLSContext
    private var ssl: OpaquePointer?
    /// Network → OpenSSL (owned by `ssl`).
    private var readBIO: OpaquePointer
    /// OpenSSL → network (owned by `ssl`).
    private var writeBIO: OpaquePointer

    init(context: TLSContext, role: TLSRole, offering session: TLSSession? = nil) throws(TLSError) {
        self.context = context
        ERR_clear_error()
        guard let ssl = SSL_new(context.pointer) else { throw OpenSSLErrors.error("SSL_new failed") }
        guard let readBIO = BIO_new(BIO_s_mem()), let writeBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw OpenSSLErrors.error("BIO_new failed")
        }
        // An empty read BIO means "wait for more", never end of stream: the channel reports EOF.
        _ = salon_BIO_set_mem_eof_return(readBIO, -1)
        _ = salon_BIO_set_mem_eof_return(writeBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client(let serverName):
            SSL_set_connect_state(ssl)
            // A copy: the handshake would otherwise mark the caller's session used up, and the
            // same ticket may be offered again. The server decides; refused means a full handshake.
            if let session, session.isResumable, let copy = SSL_SESSION_dup(session.pointer) {
                _ = SSL_set_session(ssl, copy)
                SSL_SESSION_free(copy)
            }
            if let serverName, !serverName.isEmpty {
                if !SSLConnection.isIPAddress(serverName) {
                    guard salon_SSL_set_tlsext_host_name(ssl, serverName) == 1 else {
                        free()
                        throw OpenSSLErrors.error("invalid server name \(serverName)")
                    }
                }
                if context.verifiesPeer {
                    guard SSL_set1_host(ssl, serverName) == 1 else {
                        free()
                        throw OpenSSLErrors.error("cannot verify server name \(serverName)")
                    }
                }
            }
        }
    }

    deinit {
        free()
    }

    /// Releases the SSL and its BIOs; safe to call more than once.
    func free() {
        guard let ssl else { return }
        self.ssl = nil
        SSL_free(ssl)
    }

    var isFreed: Bool { ssl == nil }

    /// Hands received ciphertext to OpenSSL (the one copy inbound bytes get before decryption).
    func feed(_ buffer: ByteBuffer) -> Bool {
        guard ssl != nil else { return false }
        return buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let chunk = min(bytes.count - offset, Int(Int32.max))
                ERR_clear_error()
                let written = BIO_write(readBIO, bytes.baseAddress.map { $0 + offset }, Int32(chunk))
                guard written > 0 else { return false }
                offset += Int(written)
            }
            return true
        }
    }

    /// Gives the memory BIOs' buffers back where they are empty: a memory BIO keeps the capacity
    /// of its largest write, and the handshake's (the certificate flight) is far more than an
    /// idle connection needs. Once per connection, after the handshake; the read side often
    /// already holds the client's first record then, and is left alone.
    func releaseHandshakeBuffers() {
        guard let ssl else { return }
        if BIO_ctrl_pending(writeBIO) == 0, let fresh = BIO_new(BIO_s_mem()) {
            _ = salon_BIO_set_mem_eof_return(fresh, -1)
            SSL_set0_wbio(ssl, fresh) // frees the old one
            writeBIO = fresh
        }
        if BIO_ctrl_pending(readBIO) == 0, let fresh = BIO_new(BIO_s_mem()) {
            _ = salon_BIO_set_mem_eof_return(fresh, -1)
            SSL_set0_rbio(ssl, fresh)
            readBIO = fresh
        }
    }

    /// Ciphertext bytes waiting to be sent.
    var pendingCiphertext: Int {
        guard ssl != nil else { return 0 }
        return Int(BIO_ctrl_pending(writeBIO))
    }

    /// Moves all waiting ciphertext into `buffer`.
    func drainCiphertext(into buffer: inout ByteBuffer) {
        var pending = pendingCiphertext
        while pending > 0 {
            let chunk = min(pending, Int(Int32.max))
            let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunk) { target in
                ERR_clear_error()
                return max(0, Int(BIO_read(writeBIO, target.baseAddress, Int32(chunk))))
            }
            if read == 0 { return }
            pending -= read
        }
    }

    func doHandshake() -> HandshakeResult {
        guard let ssl else { return .failed(TLSError(message: "TLS connection already closed")) }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .complete }
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantsMoreData
        default:
            return .failed(failure("TLS handshake failed", code: code))
        }
    }

    /// Decrypts into `target`.
    func read(into target: UnsafeMutableRawBufferPointer) -> ReadResult {
        guard let ssl else { return .failed(TLSError(message: "TLS connection already closed")) }
        guard !target.isEmpty else { return .readBytes(0) }
        ERR_clear_error()
        let result = SSL_read(ssl, target.baseAddress, Int32(clamping: target.count))
        if result > 0 { return .readBytes(Int(result)) }
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantsMoreData
        case SSL_ERROR_ZERO_RETURN:
            return .closeNotify
        default:
            return .failed(failure("TLS read failed", code: code))
        }
    }

    /// Encrypts up to one chunk of `bytes` (partial writes are on).
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        guard let ssl else { return .failed(TLSError(message: "TLS connection already closed")) }
        guard !bytes.isEmpty else { return .wroteBytes(0) }
        ERR_clear_error()
        let result = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if result > 0 { return .wroteBytes(Int(result)) }
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantsMoreData
        default:
            return .failed(failure("TLS write failed", code: code))
        }
    }

    /// Queues our close_notify alert.
    func shutdown() {
        guard let ssl else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// The negotiated protocol version name, e.g. "TLSv1.3".
    var versionName: String {
        guard let ssl, let name = SSL_get_version(ssl) else { return "unknown" }
        return String(cString: name)
    }

    /// The agreed cipher suite's IANA name, once the handshake chose one.
    var cipherSuite: String? {
        guard let ssl, let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_standard_name(cipher) else { return nil }
        return String(cString: name)
    }

    /// Whether the handshake resumed a session instead of authenticating the server again.
    var isSessionReused: Bool {
        guard let ssl else { return false }
        return SSL_session_reused(ssl) == 1
    }

    /// A copy of the session to offer next time (in TLS 1.3, the newest ticket received), if resumable.
    func resumableSession() -> TLSSession? {
        guard let ssl, let current = SSL_get1_session(ssl) else { return nil }
        defer { SSL_SESSION_free(current) }
        guard SSL_SESSION_is_resumable(current) == 1, let copy = SSL_SESSION_dup(current) else { return nil }
        return TLSSession(owning: copy)
    }

    var isTLS13: Bool {
        guard let ssl else { return false }
        return SSL_version(ssl) == TLS1_3_VERSION
    }

    var negotiatedALPN: String? {
        guard let ssl else { return nil }
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    var serverName: String? {
        guard let ssl, let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return nil }
        return String(cString: name)
    }

    /// The DNS names in the peer certificate's subjectAltName.
    var peerCertificateDNSNames: [String] {
        guard let ssl, let certificate = SSL_get1_peer_certificate(ssl) else { return [] }
        defer { X509_free(certificate) }
        guard let extensionValue = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(extensionValue)
        defer { GENERAL_NAMES_free(names) }
        var result: [String] = []
        for index in 0..<max(0, OPENSSL_sk_num(names)) {
            guard let entry = OPENSSL_sk_value(names, index)?.assumingMemoryBound(to: GENERAL_NAME.self),
                  entry.pointee.type == GEN_DNS, let text = entry.pointee.d.dNSName,
                  let bytes = ASN1_STRING_get0_data(text)
            else { continue }
            let length = Int(max(0, ASN1_STRING_length(text)))
            result.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
        }
        return result
    }

    /// RFC 9266 tls-exporter: 32 bytes of "EXPORTER-Channel-Binding" with an empty context; TLS 1.3 only.
    func exporterChannelBinding() -> [UInt8]? {
        guard let ssl, isTLS13 else { return nil }
        let label = "EXPORTER-Channel-Binding"
        var output = [UInt8](repeating: 0, count: 32)
        ERR_clear_error()
        let ok = output.withUnsafeMutableBufferPointer { out in
            SSL_export_keying_material(ssl, out.baseAddress, out.count, label, label.utf8.count, nil, 0, 0)
        }
        return ok == 1 ? output : nil
    }

    /// RFC 5929 tls-unique: the first Finished message of the handshake; TLS 1.2 and below only.
    func uniqueChannelBinding(isServer: Bool) -> [UInt8]? {
        guard let ssl, !isTLS13 else { return nil }
        var output = [UInt8](repeating: 0, count: 64)
        // The first Finished is the client's on a full handshake, the server's on a resumed one.
        let useOwn = isServer == (SSL_session_reused(ssl) == 1)
        let length = output.withUnsafeMutableBytes { out in
            useOwn ? SSL_get_finished(ssl, out.baseAddress, out.count) : SSL_get_peer_finished(ssl, out.baseAddress, out.count)
        }
        guard length > 0, length <= output.count else { return nil }
        return Array(output.prefix(length))
    }

    private func failure(_ what: String, code: Int32) -> TLSError {
        let error = OpenSSLErrors.error(what)
        // With nothing queued, the SSL_get_error code is all there is to report.
        return error.message == what ? TLSError(message: "\(what) (SSL error \(code))") : error
    }

    /// True for IPv4/IPv6 literals, which must not be sent as SNI.
    static func isIPAddress(_ name: String) -> Bool {
        if name.contains(":") { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) }
    }
}
