/// The opening `<stream:stream>` element of an XML stream.
public struct XMLStreamHeader: Sendable, Hashable {
    /// Local name of the root element; the parser only accepts "stream".
    public var name: String
    /// Namespace of the root element; the parser only accepts `NS.streams`.
    public var namespace: String
    /// Default namespace declared on the stream element (e.g. `NS.client`), or "" if none.
    public var contentNamespace: String
    /// Plain attributes (to, from, id, version) plus "xml:lang".
    public var attributes: [String: String]

    /// Creates a stream header in the stream namespace.
    public init(contentNamespace: String, attributes: [String: String] = [:]) {
        self.name = "stream"
        self.namespace = NS.streams
        self.contentNamespace = contentNamespace
        self.attributes = attributes
    }

    /// Creates a header with an explicit root name and namespace (as parsed).
    public init(name: String, namespace: String, contentNamespace: String, attributes: [String: String]) {
        self.name = name
        self.namespace = namespace
        self.contentNamespace = contentNamespace
        self.attributes = attributes
    }

    /// The XML declaration and opening tag to send, attributes sorted for determinism.
    public var openingTag: String {
        var buffer: [UInt8] = []
        serializeOpeningTag(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Appends the XML declaration and the opening tag (`<stream:stream …>`, left open).
    public func serializeOpeningTag(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: "<?xml version='1.0'?><stream:stream xmlns:stream='".utf8)
        XMLEscaping.append(NS.streams, to: &buffer, context: .attribute)
        buffer.append(UInt8(ascii: "'"))
        if !contentNamespace.isEmpty {
            buffer.append(contentsOf: " xmlns='".utf8)
            XMLEscaping.append(contentNamespace, to: &buffer, context: .attribute)
            buffer.append(UInt8(ascii: "'"))
        }
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) where Self.isWritable(key) {
            buffer.append(UInt8(ascii: " "))
            buffer.append(contentsOf: key.utf8)
            buffer.append(contentsOf: "='".utf8)
            XMLEscaping.append(value, to: &buffer, context: .attribute)
            buffer.append(UInt8(ascii: "'"))
        }
        buffer.append(UInt8(ascii: ">"))
    }

    /// The tag that ends a stream.
    public static let closingTag = "</stream:stream>"

    /// Only plain attribute names and xml:lang can be written without further declarations.
    private static func isWritable(_ key: String) -> Bool {
        key == "xml:lang" || (!key.isEmpty && key != "xmlns" && !key.utf8.contains(UInt8(ascii: ":")))
    }
}
