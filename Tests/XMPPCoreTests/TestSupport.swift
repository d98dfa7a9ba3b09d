import XMPPCore

/// The header a client sends to open a c2s stream.
let clientHeader = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
    + "xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0' xml:lang='en'>"

/// Feeds the whole input at once.
func parseAll(_ input: String, limits: XMLStreamLimits = XMLStreamLimits()) throws(XMLStreamError) -> [XMLStreamEvent] {
    try XMLStreamParser(limits: limits).feed(Array(input.utf8))
}

/// Feeds the input in chunks of `size` bytes, collecting every event.
func parseChunked(_ bytes: [UInt8], size: Int, limits: XMLStreamLimits = XMLStreamLimits()) throws(XMLStreamError) -> [XMLStreamEvent] {
    let parser = XMLStreamParser(limits: limits)
    var events: [XMLStreamEvent] = []
    var start = 0
    while start < bytes.count {
        let end = min(start + size, bytes.count)
        events += try parser.feed(Array(bytes[start..<end]))
        start = end
    }
    return events
}

/// The condition thrown while parsing `input` (whole, or chunked), or nil if none was thrown.
func condition(of input: [UInt8], chunkSize: Int? = nil, limits: XMLStreamLimits = XMLStreamLimits()) -> StreamErrorCondition? {
    do {
        if let chunkSize {
            _ = try parseChunked(input, size: chunkSize, limits: limits)
        } else {
            _ = try XMLStreamParser(limits: limits).feed(input)
        }
        return nil
    } catch {
        return error.condition
    }
}

/// The stanzas among `events`.
func stanzas(_ events: [XMLStreamEvent]) -> [XMLElement] {
    events.compactMap { event in
        if case .stanza(let element) = event { return element }
        return nil
    }
}

/// Parses a single element by wrapping it in a client stream.
func parseElement(_ xml: String) throws -> XMLElement {
    let elements = stanzas(try parseAll(clientHeader + xml))
    guard elements.count == 1, let element = elements.first else { throw TestFailure("expected one element, got \(elements.count)") }
    return element
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A compact, comparable rendering of events for equality checks.
func summary(_ events: [XMLStreamEvent]) -> [String] {
    events.map { event in
        switch event {
        case .streamOpened(let header):
            "open \(header.name) \(header.namespace) \(header.contentNamespace) \(header.attributes.sorted { $0.key < $1.key })"
        case .stanza(let element):
            "stanza \(element.serialized(parentNamespace: NS.client))"
        case .streamClosed:
            "close"
        }
    }
}
