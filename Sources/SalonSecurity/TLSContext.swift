import COpenSSL
import Foundation

/// A configured OpenSSL SSL_CTX: TLS 1.2 minimum, no renegotiation, modern ciphers.
/// A server context holds one certificate per domain and picks one by SNI (unknown names get the first).
public final class TLSContext: @unchecked Sendable {
    // Everything here is immutable after creation; OpenSSL contexts are safe to share once configured.
    let box: SSLContextBox
    /// True for server contexts.
    public let isServer: Bool
    /// True when clients check the server's certificate chain and name.
    public let verifiesPeer: Bool
    private let serverNames: ServerNameTable?
    private let alpnPreferences: ALPNPreferences?
    /// The session ticket keys, when the server issues tickets.
    private let ticketKeys: TicketKeyRing?

    var pointer: OpaquePointer { box.pointer }

    private init(box: SSLContextBox, isServer: Bool, verifiesPeer: Bool, serverNames: ServerNameTable?, alpnPreferences: ALPNPreferences?,
                 ticketKeys: TicketKeyRing? = nil) {
        self.box = box
        self.ticketKeys = ticketKeys
        self.isServer = isServer
        self.verifiesPeer = verifiesPeer
        self.serverNames = serverNames
        self.alpnPreferences = alpnPreferences
    }

    /// TLS 1.2 cipher suites: forward secret AEADs only.
    static let tls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    /// TLS 1.3 cipher suites as a server prefers them: OpenSSL's three, AES-128-GCM first (the
    /// suite RFC 8446 §9.1 makes mandatory). Its SHA-256 key schedule runs on the CPU's SHA
    /// instructions where SHA-384 has none, which makes every handshake, resumed ones included,
    /// cheaper. A client that puts ChaCha20 first (no AES instructions) still gets it.
    static let tls13ServerSuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

    /// A server context; the first certificate is the default, the others are chosen by SNI.
    /// With `sessionTickets` enabled, every context seals tickets with the same rotating keys.
    public static func server(certificates: [TLSCertificate], alpn: [String],
                              sessionTickets: TLSSessionTickets = .disabled) throws(TLSError) -> TLSContext {
        guard let defaultCertificate = certificates.first else {
            throw TLSError(message: "a TLS server needs at least one certificate")
        }
        let preferences = try ALPNPreferences(alpn)
        let ticketKeys = sessionTickets.enabled ? try TicketKeyRing(rotationSeconds: sessionTickets.keyRotationSeconds) : nil
        let defaultBox = try makeServerContext(certificate: defaultCertificate, alpn: preferences,
                                               tickets: sessionTickets, keys: ticketKeys)
        var entries: [(domain: String, context: SSLContextBox)] = [(defaultCertificate.domain, defaultBox)]
        for certificate in certificates.dropFirst() {
            entries.append((certificate.domain, try makeServerContext(certificate: certificate, alpn: preferences,
                                                                      tickets: sessionTickets, keys: ticketKeys)))
        }
        let table = ServerNameTable(entries)
        table.install(on: defaultBox.pointer)
        return TLSContext(box: defaultBox, isServer: true, verifiesPeer: false, serverNames: table, alpnPreferences: preferences,
                          ticketKeys: ticketKeys)
    }

    /// Whether this server context issues and accepts session tickets.
    public var issuesSessionTickets: Bool { ticketKeys != nil }

    /// Rotates the ticket keys now: tickets sealed before stay valid until the next rotation.
    @_spi(Testing)
    public func rotateTicketKeysForTesting() -> Bool { ticketKeys?.rotate() ?? false }

    /// A client context offering `alpn`; with `verifyPeer` the chain must lead to the trusted file/directory (or the system store).
    public static func client(alpn: [String], verifyPeer: Bool = false, trustedCertificatePath: String? = nil) throws(TLSError) -> TLSContext {
        let preferences = try ALPNPreferences(alpn)
        let box = try makeContext(server: false)
        let context = box.pointer
        if !alpn.isEmpty {
            let wire = preferences.wireFormat
            ERR_clear_error()
            guard SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count)) == 0 else {
                throw OpenSSLErrors.error("cannot set ALPN protocols")
            }
        }
        if let trustedCertificatePath {
            ERR_clear_error()
            // OpenSSL accepts any directory name lazily, so only real directories are loaded as one.
            let loaded = isDirectory(trustedCertificatePath)
                ? SSL_CTX_load_verify_dir(context, trustedCertificatePath)
                : SSL_CTX_load_verify_file(context, trustedCertificatePath)
            guard loaded == 1 else { throw OpenSSLErrors.error("cannot load trusted certificates from \(trustedCertificatePath)") }
        } else if verifyPeer {
            ERR_clear_error()
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw OpenSSLErrors.error("cannot load the system's trusted certificates")
            }
        }
        SSL_CTX_set_verify(context, verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        return TLSContext(box: box, isServer: false, verifiesPeer: verifyPeer, serverNames: nil, alpnPreferences: nil)
    }

    /// Caps the protocol at TLS 1.2 (to exercise tls-unique); call before any connection uses the context.
    @_spi(Testing)
    public func limitToTLS12ForTesting() {
        _ = salon_SSL_CTX_set_max_proto_version(pointer, TLS1_2_VERSION)
    }

    /// Sets the TLS 1.3 suites this (client) context offers, in order; call before any connection uses it.
    @_spi(Testing)
    public func offerTLS13SuitesForTesting(_ suites: String) -> Bool {
        SSL_CTX_set_ciphersuites(pointer, suites) == 1
    }

    private static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// A context with the settings both sides share.
    private static func makeContext(server: Bool) throws(TLSError) -> SSLContextBox {
        ERR_clear_error()
        guard let context = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()) else {
            throw OpenSSLErrors.error("cannot create SSL_CTX")
        }
        let box = SSLContextBox(pointer: context)
        guard salon_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw OpenSSLErrors.error("cannot require TLS 1.2")
        }
        SSL_CTX_set_options(context, salon_SSL_OP_NO_RENEGOTIATION() | salon_SSL_OP_NO_COMPRESSION())
        // Partial writes let the handler feed large buffers record by record; released buffers keep idle connections small.
        _ = salon_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        guard SSL_CTX_set_cipher_list(context, tls12Ciphers) == 1 else {
            throw OpenSSLErrors.error("cannot set cipher list")
        }
        return box
    }

    /// A server context serving one certificate.
    private static func makeServerContext(certificate: TLSCertificate, alpn: ALPNPreferences, tickets: TLSSessionTickets,
                                          keys: TicketKeyRing?) throws(TLSError) -> SSLContextBox {
        let box = try makeContext(server: true)
        let context = box.pointer
        ERR_clear_error()
        guard SSL_CTX_set_ciphersuites(context, tls13ServerSuites) == 1 else {
            throw OpenSSLErrors.error("cannot set TLS 1.3 cipher suites")
        }
        SSL_CTX_set_options(context, salon_SSL_OP_CIPHER_SERVER_PREFERENCE() | salon_SSL_OP_PRIORITIZE_CHACHA())
        guard SSL_CTX_use_certificate_chain_file(context, certificate.certificateChainPath) == 1 else {
            throw OpenSSLErrors.error("cannot load certificate chain \(certificate.certificateChainPath)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, certificate.privateKeyPath, salon_SSL_FILETYPE_PEM()) == 1 else {
            throw OpenSSLErrors.error("cannot load private key \(certificate.privateKeyPath)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw OpenSSLErrors.error("private key \(certificate.privateKeyPath) does not match \(certificate.certificateChainPath)")
        }
        let sessionContext = Array("salon".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))
        if let keys {
            // Stateless resumption only: one ticket per handshake (an XMPP client holds one
            // connection), nothing kept per session here, and no ticket outlives its key.
            _ = SSL_CTX_set_num_tickets(context, 1)
            _ = SSL_CTX_set_timeout(context, tickets.keyRotationSeconds)
            _ = salon_SSL_CTX_set_session_cache_mode(context, salon_SSL_SESS_CACHE_OFF())
            guard salon_SSL_CTX_use_ticket_keys(context, keys.pointer) == 1 else {
                throw OpenSSLErrors.error("cannot install TLS session ticket keys")
            }
        } else {
            // No tickets (TLS 1.3's or 1.2's): every login pays a full handshake.
            _ = SSL_CTX_set_num_tickets(context, 0)
            SSL_CTX_set_options(context, salon_SSL_OP_NO_TICKET())
        }
        alpn.install(on: context)
        return box
    }
}
