import COpenSSL

/// A TLS or certificate failure; `message` includes OpenSSL's own error text when there is one.
public struct TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, followed by the drained OpenSSL error queue.
    public var message: String

    /// Creates an error with exactly this message.
    public init(message: String) {
        self.message = message
    }

    public var description: String { "TLSError: \(message)" }
}
