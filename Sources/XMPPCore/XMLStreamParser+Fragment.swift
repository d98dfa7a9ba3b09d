extension XMLStreamParser {
    /// Parses one serialised stanza (as stored by the server) back into an element, as if it
    /// had arrived on a stream whose default namespace is `namespace`.
    public static func parseStanza(_ text: String, namespace: String,
                                   limits: XMLStreamLimits = XMLStreamLimits()) throws(XMLStreamError) -> XMLElement {
        let parser = XMLStreamParser(limits: limits)
        let header = XMLStreamHeader(contentNamespace: namespace).openingTag
        let events = try parser.feed(Array((header + text).utf8))
        for event in events {
            if case .stanza(let element) = event { return element }
        }
        throw XMLStreamError(condition: .badFormat, text: "No stanza in the text.")
    }
}
