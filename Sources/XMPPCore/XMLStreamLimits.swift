/// Bounds the parser enforces on what a peer may send.
public struct XMLStreamLimits: Sendable, Hashable {
    /// Largest stanza in bytes, from its start tag through its end tag.
    public var maxStanzaBytes: Int = 262_144
    /// Deepest element nesting: the stream element is depth 0, a stanza depth 1.
    public var maxDepth: Int = 32
    /// Largest prolog plus stream header (`<?xml …?><stream:stream …>`) in bytes.
    public var maxHeaderBytes: Int = 8_192
    /// Most attributes and namespace declarations on one element: far above what any protocol
    /// uses, so a flood of them in one start tag is refused rather than carried along.
    public var maxAttributes: Int = 100

    /// Creates limits; the defaults suit client streams.
    public init(maxStanzaBytes: Int = 262_144, maxDepth: Int = 32, maxHeaderBytes: Int = 8_192, maxAttributes: Int = 100) {
        self.maxStanzaBytes = maxStanzaBytes
        self.maxDepth = maxDepth
        self.maxHeaderBytes = maxHeaderBytes
        self.maxAttributes = maxAttributes
    }
}
