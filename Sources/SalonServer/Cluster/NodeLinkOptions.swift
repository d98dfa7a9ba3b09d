import NIOCore

/// How node links behave; the defaults suit a cluster on a local network.
public struct NodeLinkOptions: Sendable {
    /// Largest frame, stanza included, a node accepts; a peer sending more is cut off.
    public var maxFrameBytes = 1_048_576
    /// Bytes a link holds for its peer (waiting for the link, or written but not yet sent);
    /// a frame past this is refused rather than held in memory without end.
    public var maxQueuedBytes = 16_777_216
    /// First pause before dialling again after a failure; doubled on each failure up to `maxBackoff`.
    public var initialBackoff: Duration = .milliseconds(100)
    public var maxBackoff: Duration = .seconds(5)
    /// Time an accepted or dialled connection has to finish TLS and prove itself.
    public var authenticationTimeout: Duration = .seconds(10)

    public init() {}
}
