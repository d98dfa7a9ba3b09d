import Testing
import XMPPCore

/// expat keeps every distinct name it has seen; the stream parser swaps it for a fresh one
/// between stanzas, and the stanzas must come out exactly as if nothing had happened.
@Suite("XML stream parser: recycled between stanzas")
struct XMLStreamParserRecyclingTests {
    /// A stream whose root declares a prefix the stanzas use, then stanzas with names never seen
    /// before, in the default namespace, the declared prefix and their own, with attributes.
    static let stream: [UInt8] = {
        var text = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
            + "xmlns:x='urn:example:x&amp;&apos;y' to='example.com' version='1.0'>"
        for index in 0 ..< 6_000 {
            text += "<message id='m\(index)'><n\(index) a\(index)='\(index)'/><x:tag\(index) x:v='1'>t\(index)</x:tag\(index)>"
                + "<q\(index) xmlns='urn:q:\(index)'/></message>\n"
        }
        text += "<stream:error><stream:not-authorized/></stream:error></stream:stream>"
        return Array(text.utf8)
    }()

    /// The same stanzas, each parsed by a parser that never reaches the recycling size.
    static let expected: [String] = {
        let text = String(decoding: stream, as: UTF8.self)
        let header = String(text[..<text.range(of: "<message")!.lowerBound])
        var events: [XMLStreamEvent] = []
        let body = text[text.range(of: "<message")!.lowerBound...]
        for line in body.split(separator: "\n") {
            let parsed = try! XMLStreamParser().feed(Array((header + line).utf8))
            events += parsed.dropFirst()
        }
        return ["open"] + summary(events)
    }()

    static func summarise(_ events: [XMLStreamEvent]) -> [String] {
        guard case .streamOpened? = events.first else { return summary(events) }
        return ["open"] + summary(Array(events.dropFirst()))
    }

    @Test(arguments: [1, 3, 1000, 65_536, 65_537, 200_000, 1 << 22])
    func anyChunkingGivesTheSameStanzas(chunk: Int) throws {
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        var start = 0
        while start < Self.stream.count {
            let end = min(start + chunk, Self.stream.count)
            events += try parser.feed(Array(Self.stream[start ..< end]))
            start = end
        }
        #expect(Self.summarise(events) == Self.expected)
        #expect(parser.recycledParsers >= Self.stream.count / XMLStreamParser.recycleBytes - 1)
    }

    /// A peer that ends every write inside a start tag still gets its parser recycled: the
    /// unreported bytes are handed to the fresh one.
    @Test func chunksEndingInsideATagStillRecycle() throws {
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        var start = 0
        let text = Self.stream
        while start < text.count {
            // Cut three bytes into the next "<message", wherever it is after about 5,000 bytes.
            var end = min(start + 5_000, text.count)
            while end < text.count, !(text[end] == UInt8(ascii: "<") && text[end + 1] == UInt8(ascii: "m")) { end += 1 }
            end = min(end + 3, text.count)
            events += try parser.feed(Array(text[start ..< end]))
            start = end
        }
        #expect(Self.summarise(events) == Self.expected)
        #expect(parser.recycledParsers >= Self.stream.count / XMLStreamParser.recycleBytes - 1)
    }

    /// Limits still count from the stream's real bytes after a swap: an oversized stanza that
    /// straddles one is refused as before.
    @Test func sizeLimitHoldsAcrossASwap() {
        let limits = XMLStreamLimits(maxStanzaBytes: 4_096)
        var input = Array(clientHeader.utf8)
        while input.count < XMLStreamParser.recycleBytes + 100 { input += Array("<presence/>".utf8) }
        input += Array(("<message><body>" + String(repeating: "a", count: 5_000) + "</body></message>").utf8)
        #expect(condition(of: input, chunkSize: 777, limits: limits) == .policyViolation)
    }

    /// After a swap the stream is still one stream: closing it, or breaking it, is seen.
    @Test func errorsAfterASwapAreStillReported() {
        var input = Array(clientHeader.utf8)
        while input.count < 3 * XMLStreamParser.recycleBytes { input += Array("<presence/>".utf8) }
        #expect(condition(of: input + Array("<message></presence>".utf8), chunkSize: 4_096) == .notWellFormed)
        #expect(condition(of: input + Array("<y:message/>".utf8), chunkSize: 4_096) == .badNamespacePrefix)
        #expect(condition(of: input + Array("hello".utf8), chunkSize: 4_096) == .badFormat)
    }

    /// The fresh parser opens the stream with the root's own prefix, so the peer's end tag matches.
    @Test(arguments: ["stream", "s", nil] as [String?])
    func theStreamClosesCleanlyAfterASwap(prefix: String?) throws {
        let root = prefix.map { "\($0):stream" } ?? "stream"
        let declaration = prefix.map { "xmlns:\($0)" } ?? "xmlns"
        var input = Array("<\(root) \(declaration)='http://etherx.jabber.org/streams' xmlns:c='jabber:client'>".utf8)
        while input.count < 2 * XMLStreamParser.recycleBytes { input += Array("<c:presence/>".utf8) }
        input += Array("</\(root)>".utf8)
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        for start in stride(from: 0, to: input.count, by: 1_000) {
            events += try parser.feed(Array(input[start ..< min(start + 1_000, input.count)]))
        }
        #expect(parser.recycledParsers >= 1)
        guard case .streamClosed? = events.last else {
            Issue.record("the stream did not close cleanly")
            return
        }
    }

    /// Fuzz finding `stream-prefix-bound-twice` (Fuzz/regressions/xml-stream/): with two prefixes
    /// bound to the streams namespace, the fresh parser opened the stream with the first one
    /// declared, not the one the peer wrote, so the peer's end tag no longer matched after a swap.
    @Test(arguments: [
        ("<s:stream xmlns:a='http://etherx.jabber.org/streams' xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:client'>",
         "</s:stream>"),
        ("<stream xmlns:s='http://etherx.jabber.org/streams' xmlns='http://etherx.jabber.org/streams'>", "</stream>"),
    ])
    func fuzzStreamPrefixBoundTwice(open: String, close: String) throws {
        let parser = XMLStreamParser(recycleThreshold: 0)
        let events = try parser.feed(Array((open + "<presence/> <presence/>" + close).utf8))
        #expect(parser.recycledParsers == 2)
        #expect(events.count == 4)
        guard case .streamClosed? = events.last else {
            Issue.record("the stream did not close cleanly")
            return
        }
    }

    /// A threshold of its own: the parser swaps at every stanza's end and nowhere else, and the
    /// stanzas are those a parser that never swaps gives.
    @Test func aSmallThresholdSwapsAtEveryStanza() throws {
        let input = Array((clientHeader + "<presence/>\n<message><body>a</body></message><iq type='get' id='1'/>").utf8)
        let parser = XMLStreamParser(recycleThreshold: 1)
        let events = try parser.feed(input)
        #expect(parser.recycledParsers == 3)
        #expect(summary(events) == summary(try XMLStreamParser(recycleThreshold: .max).feed(input)))
    }
}
