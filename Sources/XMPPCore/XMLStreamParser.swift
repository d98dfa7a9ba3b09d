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
    /// This parser's recycling threshold: `recycleBytes` unless the creator chose another
    /// (the fuzz target swaps after a few bytes, so its small inputs cross swaps).
    public let recycleThreshold: Int

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
    /// The expat parser was freed between stanzas (`park()`); the next bytes make a fresh one.
    public private(set) var isParked = false

    /// Creates a parser ready for a stream header, swapping expat after `recycleThreshold` bytes.
    public init(limits: XMLStreamLimits = XMLStreamLimits(), recycleThreshold: Int = XMLStreamParser.recycleBytes) {
        self.limits = limits
        self.recycleThreshold = max(0, recycleThreshold)
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
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if isParked { unpark() }
        guard expat != nil else {
            throw fail(XMLStreamError(.resourceConstraint, text: "the XML parser could not be created"))
        }
        swap(&builder.events, &events)
        defer { swap(&builder.events, &events) }
        var offset = 0
        // The parser is read afresh for every slice: a recycle replaces it.
        while offset < bytes.count, let expat {
            let length = min(bytes.count - offset, Self.sliceBytes)
            let chunk = (base + offset).assumingMemoryBound(to: CChar.self)
            var status = XML_Parse(expat, chunk, Int32(length), 0)
            streamOffset += length
            offset += length
            // Suspended at the end of a stanza because a recycle is due: the rest of the slice
            // goes to a fresh parser (which may be suspended again, further on).
            while status == XML_STATUS_SUSPENDED {
                let rest = streamOffset - builder.consumedOffset
                status = try recycle(replaying: UnsafeRawBufferPointer(start: base + offset - rest, count: rest))
            }
            if status != XML_STATUS_OK {
                throw fail(builder.failure ?? Self.expatError(self.expat ?? expat))
            }
            builder.checkPendingBytes(streamOffset: streamOffset)
            if let error = builder.failure {
                throw fail(error)
            }
        }
    }

    /// Called when a stanza has ended: suspends expat if it has taken enough bytes to be
    /// swapped for a fresh one (see `recycleBytes`).
    func suspendIfRecycleDue(_ expat: XML_Parser, at eventEnd: Int) {
        if eventEnd - expatStart >= recycleThreshold, builder.isBetweenStanzas {
            XML_StopParser(expat, XML_Bool(1))
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
        if isParked { unpark() }
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
        isParked = false
        expat = makeExpatParser()
    }

    /// Frees the expat parser (and the builder's scratch space) of an idle stream: only when
    /// the stream is open, no stanza is under way and every byte given has been reported, so
    /// nothing is lost. The next `feed` makes a fresh parser primed with the stream's start
    /// tag, as a recycle does. Returns whether the parser is parked now.
    @discardableResult
    public func park() -> Bool {
        if isParked { return true }
        guard let parser = expat, failure == nil, builder.isBetweenStanzas,
              builder.consumedOffset == streamOffset, builder.streamStartTag() != nil else { return false }
        XML_ParserFree(parser)
        expat = nil
        builder.releaseScratch()
        isParked = true
        return true
    }

    /// A fresh parser for a parked stream; left nil (and reported by `feed`) if it cannot be made.
    private func unpark() {
        isParked = false
        guard let (fresh, opening) = primedParser() else { return }
        take(fresh, openingBytes: opening, from: streamOffset)
    }

    /// Swaps the suspended expat for a fresh parser that has read only a stream start tag
    /// declaring the stream's namespaces (so stanzas keep resolving their prefixes, and the
    /// stream's end tag matches), then hands it `rest`, the bytes after the stanza the old one
    /// stopped at. Stream offsets carry on unchanged. Returns the status of parsing `rest`.
    private func recycle(replaying rest: UnsafeRawBufferPointer) throws(XMLStreamError) -> XML_Status {
        guard let suspended = expat else { return XML_STATUS_ERROR }
        // Failure cannot happen with names the old parser accepted: carry on with it then.
        guard let (fresh, opening) = primedParser() else { return XML_ResumeParser(suspended) }
        XML_ParserFree(suspended)
        take(fresh, openingBytes: opening, from: streamOffset - rest.count)
        recycledParsers += 1
        guard let start = rest.baseAddress, !rest.isEmpty else { return XML_STATUS_OK }
        return XML_Parse(fresh, start.assumingMemoryBound(to: CChar.self), Int32(rest.count), 0)
    }

    /// Makes `fresh` (primed with `openingBytes` of start tag) the parser, reading the stream from `offset` on.
    private func take(_ fresh: XML_Parser, openingBytes: Int, from offset: Int) {
        installHandlers(on: fresh)
        expat = fresh
        expatStart = offset
        indexBase = offset - openingBytes
    }

    /// A fresh parser, without handlers yet, that has read the stream's start tag (so its
    /// stanzas resolve the stream's prefixes); with the length of that tag.
    private func primedParser() -> (XML_Parser, Int)? {
        guard let opening = builder.streamStartTag(), let fresh = makeExpatParser(handlers: false) else { return nil }
        let primed = opening.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { XML_Parse(fresh, $0.baseAddress, Int32($0.count), 0) }
        }
        guard primed == XML_STATUS_OK else {
            XML_ParserFree(fresh)
            return nil
        }
        return (fresh, opening.count)
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
        // Names come with their prefix too: the stream's own is needed to replay its start tag.
        XML_SetReturnNSTriplet(parser, 1)
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
