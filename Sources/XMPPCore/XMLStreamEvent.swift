/// What the stream parser reports, in stream order.
public enum XMLStreamEvent: Sendable, Hashable {
    /// The peer opened the stream (after a reset, a new header is expected).
    case streamOpened(XMLStreamHeader)
    /// A complete top-level element: a stanza or a stream-level element (features, auth, …).
    case stanza(XMLElement)
    /// The peer sent `</stream:stream>`.
    case streamClosed
}
