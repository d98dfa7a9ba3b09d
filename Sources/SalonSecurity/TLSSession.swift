import COpenSSL

/// A TLS session a client keeps to offer on its next connection (TLS 1.3 resumption with the
/// server's ticket, RFC 8446 §2.2). Immutable: a copy of the session the handshake made, so
/// what happens to that connection later cannot spoil it.
public final class TLSSession: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of one reference to `pointer`.
    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        SSL_SESSION_free(pointer)
    }

    /// Whether a server would be offered this session (it carries a ticket or a session id).
    public var isResumable: Bool { SSL_SESSION_is_resumable(pointer) == 1 }
}

/// The server's TLS session tickets: off, or sealed with keys that rotate.
public struct TLSSessionTickets: Sendable, Hashable {
    /// Whether the server issues tickets (one per handshake) and accepts them.
    public var enabled: Bool
    /// Seconds a ticket key seals new tickets; it opens them for as long again, and a ticket
    /// lives at most this long.
    public var keyRotationSeconds: Int

    public init(enabled: Bool, keyRotationSeconds: Int = 3600) {
        self.enabled = enabled
        self.keyRotationSeconds = max(1, keyRotationSeconds)
    }

    /// No tickets: every handshake is a full one.
    public static let disabled = TLSSessionTickets(enabled: false)
}

/// The ticket keys of one server context (and its SNI siblings), freed with it.
final class TicketKeyRing: @unchecked Sendable {
    // The C side locks: shared by every event loop.
    let pointer: UnsafeMutablePointer<salon_ticket_keys>

    init(rotationSeconds: Int) throws(TLSError) {
        guard let pointer = salon_ticket_keys_new(rotationSeconds) else {
            throw OpenSSLErrors.error("cannot make TLS session ticket keys")
        }
        self.pointer = pointer
    }

    deinit {
        salon_ticket_keys_free(pointer)
    }

    func rotate() -> Bool { salon_ticket_keys_rotate(pointer) == 1 }
}
