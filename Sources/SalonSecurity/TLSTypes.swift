/// One certificate chain and private key (PEM files) serving `domain` and its subdomains.
public struct TLSCertificate: Sendable, Hashable {
    /// The domain this certificate is chosen for by SNI.
    public var domain: String
    /// PEM file: the leaf certificate followed by any intermediates.
    public var certificateChainPath: String
    /// PEM file with the private key.
    public var privateKeyPath: String

    /// Describes a certificate on disk; files are read when a context is made.
    public init(domain: String, certificateChainPath: String, privateKeyPath: String) {
        self.domain = domain
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }
}

/// Which side of the handshake an `OpenSSLHandler` plays.
public enum TLSRole: Sendable, Hashable {
    case server
    /// `serverName` is sent as SNI (unless it is an IP literal) and checked when the context verifies peers.
    case client(serverName: String?)
}

/// Fired inbound (as a user event) when the handshake completes.
public struct TLSHandshakeCompleted: Sendable, Hashable {
    /// The protocol chosen by ALPN, if any.
    public var alpn: String?
    /// The protocol version, e.g. "TLSv1.3".
    public var version: String
    /// SNI: the name the client asked for (on a server) or sent (on a client).
    public var serverName: String?
    /// Whether the handshake resumed an earlier session (a ticket) rather than a full one.
    public var resumed: Bool
    /// The cipher suite agreed, by its IANA name (e.g. "TLS_AES_128_GCM_SHA256").
    public var cipherSuite: String?

    /// Creates the event.
    public init(alpn: String?, version: String, serverName: String?, resumed: Bool = false, cipherSuite: String? = nil) {
        self.alpn = alpn
        self.version = version
        self.serverName = serverName
        self.resumed = resumed
        self.cipherSuite = cipherSuite
    }
}

/// Fired inbound (as a user event) when the peer's close_notify arrives, before we answer and close.
public struct TLSCloseNotifyReceived: Sendable, Hashable {
    /// Creates the event.
    public init() {}
}
