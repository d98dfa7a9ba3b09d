import CExpat

/// Incremental, namespace-aware parser for one XML stream (expat, XML_ParserCreateNS).
/// Rejects DTDs, entities, comments and processing instructions; enforces `XMLStreamLimits`.
/// Not thread-safe: use it from one connection's event loop.
public final class XMLStreamParser {
    /// Separates namespace URI and local name in the names expat reports.
    static let namespaceSeparator: UInt8 = 0x01
    /// Largest slice handed to expat at once, so oversized input is caught between slices.
    private static let sliceBytes = 65_536
    /// Bytes an expat parser takes before it is swapped, between stanzas, for a fresh one:
    /// expat keeps every distinct element and attribute name it has seen until it is freed, so
    /// a peer sending ever-new names would otherwise grow its connection's memory without end.
    public static let recycleBytes = 65_536

    /// The limits this parser enforces; a change applies to what is parsed from then on
    /// (a stream allows larger stanzas once its peer has authenticated).
    public var limits: XMLStreamLimits {
        didSet { builder.limits = limits }
    }
    var builder: StreamTreeBuilder
    private var expat: XML_Parser?
    /// The expat handle, for the callbacks.
    var currentExpat: XML_Parser? { expat }
    private var failure: XMLStreamError?
    /// Bytes given since the stream started (the last `reset()`).
    private var streamOffset = 0
    /// Where in the stream the current expat parser's input begins.
    private var expatStart = 0
    /// What to add to expat's byte index for a stream offset (expat counts from its own first
    /// byte, which for a recycled parser is the replayed stream header).
    private(set) var indexBase = 0
    /// How many times the expat parser was swapped for a fresh one within this stream.
    public private(set) var recycledParsers = 0

    /// Creates a parser ready for a stream header.
    public init(limits: XMLStreamLimits = XMLStreamLimits()) {
        self.limits = limits
        self.builder = StreamTreeBuilder(limits: limits)
        self.expat = makeExpatParser()
    }

    deinit {
        if let expat {
            XML_ParserFree(expat)
        }
    }

    /// Feeds bytes (any chunking, even mid-UTF-8-sequence) and appends complete events to `events`.
    /// Events before an error are still appended. After a thrown error the parser is dead until `reset()`.
    public func feed(_ bytes: UnsafeRawBufferPointer, into events: inout [XMLStreamEvent]) throws(XMLStreamError) {
        if let failure { throw failure }
        guard let expat else {
            throw fail(XMLStreamError(.resourceConstraint, text: "the XML parser could not be created"))
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        swap(&builder.events, &events)
        defer { swap(&builder.events, &events) }
        var offset = 0
        while offset < bytes.count {
            let length = min(bytes.count - offset, Self.sliceBytes)
            let chunk = (base + offset).assumingMemoryBound(to: CChar.self)
            let status = XML_Parse(expat, chunk, Int32(length), 0)
            streamOffset += length
            offset += length
            if status != XML_STATUS_OK {
                throw fail(builder.failure ?? Self.expatError(expat))
            }
            builder.checkPendingBytes(streamOffset: streamOffset)
            if let error = builder.failure {
                throw fail(error)
            }
            // Between stanzas, what expat holds unreported (a partial tag) lies in this slice.
            let unreported = streamOffset - builder.consumedOffset
            if streamOffset - expatStart >= Self.recycleBytes, builder.isBetweenStanzas, unreported <= length {
                try recycle(replaying: UnsafeRawBufferPointer(start: base + offset - unreported, count: unreported))
            }
        }
    }

    /// Convenience: feeds bytes and returns the events they completed.
    public func feed(_ bytes: [UInt8]) throws(XMLStreamError) -> [XMLStreamEvent] {
        var events: [XMLStreamEvent] = []
        var thrown: XMLStreamError?
        bytes.withUnsafeBytes { buffer in
            do throws(XMLStreamError) {
                try feed(buffer, into: &events)
            } catch {
                thrown = error
            }
        }
        if let thrown { throw thrown }
        return events
    }

    /// Declares the end of input: throws `not-well-formed` unless the stream was closed properly.
    public func finish() throws(XMLStreamError) {
        if let failure { throw failure }
        guard let expat else { return }
        var events: [XMLStreamEvent] = []
        swap(&builder.events, &events)
        defer { swap(&builder.events, &events) }
        if XML_Parse(expat, nil, 0, 1) != XML_STATUS_OK {
            throw fail(builder.failure ?? Self.expatError(expat))
        }
    }

    /// Starts over with a fresh parser, as required after STARTTLS and SASL success.
    public func reset() {
        if let expat {
            XML_ParserFree(expat)
        }
        builder.reset()
        failure = nil
        streamOffset = 0
        expatStart = 0
        indexBase = 0
        recycledParsers = 0
        expat = makeExpatParser()
    }

    /// Swaps expat for a fresh parser that has read only an element declaring the stream's
    /// namespaces (so stanzas keep resolving their prefixes), then hands it `unreported`, the
    /// bytes the old one held without reporting. Stream offsets carry on unchanged.
    private func recycle(replaying unreported: UnsafeRawBufferPointer) throws(XMLStreamError) {
        let opening = builder.streamNamespacesElement()
        guard let fresh = makeExpatParser(handlers: false) else {
            throw fail(XMLStreamError(.resourceConstraint, text: "the XML parser could not be created"))
        }
        let primed = opening.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { XML_Parse(fresh, $0.baseAddress, Int32($0.count), 0) }
        }
        guard primed == XML_STATUS_OK else {
            // Cannot happen with names the old parser accepted; keep it rather than fail the stream.
            XML_ParserFree(fresh)
            return
        }
        installHandlers(on: fresh)
        if let expat { XML_ParserFree(expat) }
        expat = fresh
        expatStart = streamOffset - unreported.count
        indexBase = expatStart - opening.count
        recycledParsers += 1
        guard let start = unreported.baseAddress, !unreported.isEmpty else { return }
        if XML_Parse(fresh, start.assumingMemoryBound(to: CChar.self), Int32(unreported.count), 0) != XML_STATUS_OK {
            throw fail(builder.failure ?? Self.expatError(fresh))
        }
        if let error = builder.failure { throw fail(error) }
    }

    private func fail(_ error: XMLStreamError) -> XMLStreamError {
        failure = error
        return error
    }

    private func makeExpatParser(handlers: Bool = true) -> XML_Parser? {
        let separator = CChar(bitPattern: Self.namespaceSeparator)
        guard let parser = XML_ParserCreateNS("UTF-8", separator) else { return nil }
        // A random salt keeps hash-flooding attacks on expat's tables from being precomputed.
        XML_SetHashSalt(parser, CUnsignedLong.random(in: 1 ... .max))
        salon_expat_disable_reparse_deferral(parser)
        if handlers { installHandlers(on: parser) }
        return parser
    }

    /// Maps expat's own error to a stream error condition.
    private static func expatError(_ parser: XML_Parser) -> XMLStreamError {
        let code = XML_GetErrorCode(parser)
        let condition: StreamErrorCondition = switch code {
        case XML_ERROR_UNBOUND_PREFIX, XML_ERROR_UNDECLARING_PREFIX, XML_ERROR_RESERVED_PREFIX_XML,
             XML_ERROR_RESERVED_PREFIX_XMLNS, XML_ERROR_RESERVED_NAMESPACE_URI: .badNamespacePrefix
        case XML_ERROR_UNKNOWN_ENCODING, XML_ERROR_INCORRECT_ENCODING: .unsupportedEncoding
        case XML_ERROR_NO_MEMORY: .resourceConstraint
        case XML_ERROR_AMPLIFICATION_LIMIT_BREACH: .restrictedXML
        default: .notWellFormed
        }
        let description = XML_ErrorString(code).map { String(cString: $0) } ?? "XML error"
        let line = XML_GetCurrentLineNumber(parser)
        let column = XML_GetCurrentColumnNumber(parser)
        return XMLStreamError(condition, text: "\(description) at line \(line), column \(column)")
    }
}
