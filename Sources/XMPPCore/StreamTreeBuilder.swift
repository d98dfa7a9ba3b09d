/// Turns parser callbacks into stream events, building each stanza's element tree directly
/// and enforcing the stream limits. Offsets are byte positions in the stream since the last reset.
/// A struct, so each callback costs one exclusivity check on the parser rather than one per field.
struct StreamTreeBuilder {
    var limits: XMLStreamLimits
    /// Events produced since the caller last took them.
    var events: [XMLStreamEvent] = []
    /// The first error; once set, every further callback is ignored.
    private(set) var failure: XMLStreamError?

    private var interner = StringInterner()
    private var streamOpen = false
    private var streamClosed = false
    private var pendingContentNamespace = ""
    /// Open elements of the stanza being built; empty between stanzas.
    private var stack: [XMLElement] = []
    /// Character data not yet attached, so adjacent chunks become one text node.
    private var textBytes: [UInt8] = []
    /// Where the current unit (stream header, or stanza with anything before it) started.
    private var unitStart = 0
    /// Namespace declarations seen for the start tag expat is about to report.
    private var pendingDeclarations = 0
    /// The stream element's namespace declarations (prefix, or nil for the default; URI).
    private var streamDeclarations: [(prefix: String?, uri: String)] = []
    /// The stream element's prefix as the peer wrote it (nil: unprefixed), so that a replayed
    /// start tag matches the peer's end tag.
    private var streamPrefix: String?

    init(limits: XMLStreamLimits) {
        self.limits = limits
    }

    /// Forgets everything for a new stream.
    mutating func reset() {
        events.removeAll()
        failure = nil
        streamOpen = false
        streamClosed = false
        pendingContentNamespace = ""
        stack.removeAll()
        textBytes.removeAll()
        unitStart = 0
        pendingDeclarations = 0
        streamDeclarations.removeAll()
        streamPrefix = nil
    }

    /// Gives back what only serves while stanzas arrive (interned names, buffers' capacity);
    /// between stanzas of an idle stream, where none of it holds anything.
    mutating func releaseScratch() {
        interner = StringInterner()
        textBytes = []
        stack = []
        events = []
    }

    /// Whether the stream is open with no stanza under way: the next byte may start one.
    var isBetweenStanzas: Bool { streamOpen && !streamClosed && stack.isEmpty && failure == nil }

    /// Stream offset up to which every byte has been reported (between stanzas).
    var consumedOffset: Int { unitStart }

    /// The stream's start tag as a fresh parser needs it: the root's name with the peer's own
    /// prefix (several may be bound to the streams namespace, and the end tag must match this
    /// one) and every namespace it declared. Nil before the stream is open.
    func streamStartTag() -> [UInt8]? {
        guard streamOpen else { return nil }
        var bytes = Array("<".utf8)
        if let prefix = streamPrefix { bytes.append(contentsOf: (prefix + ":").utf8) }
        bytes.append(contentsOf: "stream".utf8)
        for declaration in streamDeclarations {
            bytes.append(contentsOf: " xmlns".utf8)
            if let prefix = declaration.prefix {
                bytes.append(UInt8(ascii: ":"))
                bytes.append(contentsOf: prefix.utf8)
            }
            bytes.append(contentsOf: "='".utf8)
            XMLEscaping.append(declaration.uri, to: &bytes, context: .attribute)
            bytes.append(UInt8(ascii: "'"))
        }
        bytes.append(UInt8(ascii: ">"))
        return bytes
    }

    /// Records the first error; the caller stops the parser.
    mutating func fail(_ condition: StreamErrorCondition, _ text: String) {
        if failure == nil {
            failure = XMLStreamError(condition, text: text)
        }
    }

    /// A namespace declaration; only the default one on the stream element matters.
    mutating func declareNamespace(prefix: UnsafePointer<CChar>?, uri: UnsafePointer<CChar>?) {
        guard failure == nil else { return }
        // Counted against the next start tag's attributes (expat reports declarations first).
        pendingDeclarations += 1
        guard !streamOpen else { return }
        streamDeclarations.append((prefix.map { String(cString: $0) }, uri.map { String(cString: $0) } ?? ""))
        guard prefix == nil else { return }
        pendingContentNamespace = uri.map { String(cString: $0) } ?? ""
    }

    /// A start tag spanning the offsets `eventStart..<eventEnd`.
    mutating func startElement(name: UnsafePointer<CChar>, attributes: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                      eventStart: Int, eventEnd: Int) {
        guard failure == nil else { return }
        guard streamOpen else {
            openStream(name: name, attributes: attributes, eventEnd: eventEnd)
            return
        }
        if stack.isEmpty {
            // A stanza's size counts from its own "<", not from whatever preceded it.
            unitStart = max(unitStart, eventStart)
        }
        guard withinSizeLimit(eventEnd) else { return }
        // The stream element is depth 0, so the new element sits at depth stack.count + 1.
        guard stack.count < limits.maxDepth else {
            fail(.policyViolation, "elements nested deeper than \(limits.maxDepth)")
            return
        }
        let list = attributeList(attributes)
        defer { pendingDeclarations = 0 }
        guard list.count + pendingDeclarations <= limits.maxAttributes else {
            fail(.policyViolation, "more than \(limits.maxAttributes) attributes and namespace declarations on one element")
            return
        }
        flushText()
        let (elementName, namespace) = qualifiedName(name)
        stack.append(XMLElement(elementName, namespace: namespace, attributeList: list))
    }

    /// An end tag; `eventEnd` is the offset just past it.
    mutating func endElement(eventEnd: Int) {
        guard failure == nil else { return }
        guard let element = stack.popLast() else {
            if streamOpen {
                streamOpen = false
                streamClosed = true
                events.append(.streamClosed)
            }
            return
        }
        var finished = element
        Self.move(&textBytes, into: &finished)
        if stack.isEmpty {
            guard withinSizeLimit(eventEnd) else { return }
            events.append(.stanza(finished))
            unitStart = max(unitStart, eventEnd)
        } else {
            stack[stack.count - 1].children.append(.element(finished))
        }
    }

    /// Character data; between stanzas only whitespace (keepalives) is allowed, and it is dropped.
    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>, eventEnd: Int) {
        guard failure == nil else { return }
        guard stack.isEmpty else {
            guard withinSizeLimit(eventEnd) else { return }
            textBytes.append(contentsOf: bytes)
            return
        }
        guard bytes.allSatisfy(Self.isXMLWhitespace) else {
            fail(.badFormat, "text outside of a stanza")
            return
        }
        unitStart = max(unitStart, eventEnd)
    }

    /// Bounds bytes the parser holds but has not reported yet (an incomplete tag or stanza).
    mutating func checkPendingBytes(streamOffset: Int) {
        guard failure == nil, !streamClosed else { return }
        _ = withinSizeLimit(streamOffset)
    }

    private mutating func withinSizeLimit(_ offset: Int) -> Bool {
        let limit = streamOpen ? limits.maxStanzaBytes : limits.maxHeaderBytes
        guard offset - unitStart <= limit else {
            fail(.policyViolation, "\(streamOpen ? "stanza" : "stream header") larger than \(limit) bytes")
            return false
        }
        return true
    }

    private mutating func openStream(name: UnsafePointer<CChar>, attributes: UnsafeMutablePointer<UnsafePointer<CChar>?>?, eventEnd: Int) {
        pendingDeclarations = 0
        guard withinSizeLimit(eventEnd) else { return }
        let (rootName, namespace) = qualifiedName(name)
        guard rootName == "stream", namespace == NS.streams else {
            fail(.invalidNamespace, "the root element must be {\(NS.streams)}stream")
            return
        }
        var headerAttributes: [String: String] = [:]
        for attribute in attributeList(attributes) {
            switch attribute.namespace {
            case "": headerAttributes[attribute.name] = attribute.value
            case NS.xml: headerAttributes["xml:" + attribute.name] = attribute.value
            default: continue
            }
        }
        streamOpen = true
        streamPrefix = Self.prefix(of: name)
        unitStart = max(unitStart, eventEnd)
        events.append(.streamOpened(XMLStreamHeader(name: rootName, namespace: namespace,
                                                    contentNamespace: pendingContentNamespace,
                                                    attributes: headerAttributes)))
    }

    /// Moves buffered character data into the innermost open element.
    private mutating func flushText() {
        guard !textBytes.isEmpty, !stack.isEmpty else { return }
        Self.move(&textBytes, into: &stack[stack.count - 1])
    }

    private static func move(_ textBytes: inout [UInt8], into element: inout XMLElement) {
        guard !textBytes.isEmpty else { return }
        element.children.append(.text(String(decoding: textBytes, as: UTF8.self)))
        textBytes.removeAll(keepingCapacity: true)
    }

    /// Splits expat's "namespace\u{1}local", "namespace\u{1}local\u{1}prefix" (names are reported
    /// as triplets) or plain "local" into local name and namespace.
    private mutating func qualifiedName(_ name: UnsafePointer<CChar>) -> (name: String, namespace: String) {
        name.withMemoryRebound(to: UInt8.self, capacity: 1) { bytes in
            var length = 0
            var separator = -1
            var prefixSeparator = -1
            while bytes[length] != 0 {
                if bytes[length] == XMLStreamParser.namespaceSeparator {
                    if separator < 0 {
                        separator = length
                    } else if prefixSeparator < 0 {
                        prefixSeparator = length
                    }
                }
                length += 1
            }
            guard separator >= 0 else {
                return (interner.string(UnsafeBufferPointer(start: bytes, count: length)), "")
            }
            let localEnd = prefixSeparator >= 0 ? prefixSeparator : length
            let namespace = interner.string(UnsafeBufferPointer(start: bytes, count: separator))
            let local = interner.string(UnsafeBufferPointer(start: bytes + separator + 1, count: localEnd - separator - 1))
            return (local, namespace)
        }
    }

    /// The prefix of a name expat reported as a triplet; nil when the name had none.
    private static func prefix(of name: UnsafePointer<CChar>) -> String? {
        let parts = String(cString: name).split(separator: Character(Unicode.Scalar(XMLStreamParser.namespaceSeparator)),
                                                omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[2]) : nil
    }

    /// Reads expat's NULL-terminated name/value array.
    private mutating func attributeList(_ attributes: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> [XMLAttribute] {
        guard let attributes, attributes[0] != nil else { return [] }
        var list: [XMLAttribute] = []
        var index = 0
        while let name = attributes[index], let value = attributes[index + 1] {
            let (local, namespace) = qualifiedName(name)
            list.append(XMLAttribute(name: local, namespace: namespace, value: String(cString: value)))
            index += 2
        }
        return list
    }

    private static func isXMLWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
