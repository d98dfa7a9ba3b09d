/// One outbound link's counts since it was made, for a metrics scrape.
public struct NodeLinkStatistics: Sendable, Hashable {
    public let node: String
    public let isUp: Bool
    /// Frames and their bytes written out to the peer.
    public let framesSent: Int
    public let bytesSent: Int
    /// Bytes held for the peer now.
    public let pendingBytes: Int
}
