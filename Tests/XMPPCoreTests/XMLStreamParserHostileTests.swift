import Testing
import XMPPCore

@Suite("XML stream parser: hostile input")
struct XMLStreamParserHostileTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let input: [UInt8]
        let expected: StreamErrorCondition
        var testDescription: String { name }

        init(_ name: String, _ input: String, _ expected: StreamErrorCondition) {
            self.init(name, Array(input.utf8), expected)
        }

        init(_ name: String, _ input: [UInt8], _ expected: StreamErrorCondition) {
            self.name = name
            self.input = input
            self.expected = expected
        }
    }

    static let billionLaughs = """
    <?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol "lol">\
    <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\
    <stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>&lol3;
    """

    static let cases: [Case] = [
        Case("billion laughs", billionLaughs, .restrictedXML),
        Case("internal DOCTYPE", "<!DOCTYPE stream:stream><stream:stream/>", .restrictedXML),
        Case("external entity", "<?xml version='1.0'?><!DOCTYPE s [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
             + "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><message>&xxe;</message>",
             .restrictedXML),
        Case("comment in prolog", "<!-- hello -->" + clientHeader, .restrictedXML),
        Case("comment in stanza", clientHeader + "<message><!-- x --></message>", .restrictedXML),
        Case("comment between stanzas", clientHeader + "<presence/><!-- x -->", .restrictedXML),
        Case("processing instruction", clientHeader + "<message><?php echo 1; ?></message>", .restrictedXML),
        Case("processing instruction in prolog", "<?xml-stylesheet href='a'?>" + clientHeader, .restrictedXML),
        Case("undefined entity", clientHeader + "<message><body>&nbsp;</body></message>", .notWellFormed),
        Case("undefined entity in attribute", clientHeader + "<message to='&x;'/>", .notWellFormed),
        Case("stanza too large", clientHeader + "<message><body>" + String(repeating: "A", count: 300_000)
             + "</body></message>", .policyViolation),
        Case("unfinished stanza too large", clientHeader + "<message><body>" + String(repeating: "A", count: 300_000),
             .policyViolation),
        Case("start tag too large", clientHeader + "<message to='" + String(repeating: "A", count: 300_000),
             .policyViolation),
        Case("header too large", "<stream:stream to='" + String(repeating: "A", count: 300_000), .policyViolation),
        Case("many tiny elements", clientHeader + "<message>" + String(repeating: "<x/>", count: 70_000) + "</message>",
             .policyViolation),
        Case("too deep", clientHeader + String(repeating: "<a>", count: 40), .policyViolation),
        Case("wrong root namespace", "<stream:stream xmlns:stream='jabber:client'>", .invalidNamespace),
        Case("root without namespace", "<stream xmlns='jabber:client'>", .invalidNamespace),
        Case("wrong root name", "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>", .invalidNamespace),
        Case("unbound prefix", "<stream:stream xmlns='jabber:client'>", .badNamespacePrefix),
        Case("unbound attribute prefix", clientHeader + "<message foo:bar='1'/>", .badNamespacePrefix),
        Case("garbage", [0x00, 0xFF, 0xFE, 0x13, 0x37], .notWellFormed),
        Case("text before the stream", "hello world", .notWellFormed),
        Case("invalid UTF-8 in text", Array(clientHeader.utf8) + Array("<message><body>".utf8) + [0xC3, 0x28]
             + Array("</body></message>".utf8), .notWellFormed),
        Case("overlong UTF-8", Array(clientHeader.utf8) + Array("<message><body>".utf8) + [0xC0, 0xAF]
             + Array("</body></message>".utf8), .notWellFormed),
        Case("control character", clientHeader + "<message><body>\u{1}</body></message>", .notWellFormed),
        Case("control character reference", clientHeader + "<message><body>&#1;</body></message>", .notWellFormed),
        Case("mismatched tags", clientHeader + "<message><body></message></body>", .notWellFormed),
        Case("mismatched stream close", clientHeader + "<message></stream:stream>", .notWellFormed),
        Case("duplicate attribute", clientHeader + "<message to='a' to='b'/>", .notWellFormed),
        Case("data after stream close", clientHeader + "</stream:stream><message/>", .notWellFormed),
        Case("second XML declaration", clientHeader + "<?xml version='1.0'?>", .notWellFormed),
        Case("text between stanzas", clientHeader + "<presence/>hello<presence/>", .badFormat),
        Case("non-UTF-8 encoding", "<?xml version='1.0' encoding='ISO-8859-1'?>"
             + "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>", .unsupportedEncoding),
    ]

    @Test(arguments: cases)
    func rejectsWholeInput(_ testCase: Case) {
        #expect(condition(of: testCase.input) == testCase.expected)
    }

    @Test(arguments: cases)
    func rejectsInputFedByteByByte(_ testCase: Case) {
        // Byte-at-a-time over 300 KB cases is slow but still well within reason.
        #expect(condition(of: testCase.input, chunkSize: testCase.input.count > 10_000 ? 997 : 1) == testCase.expected)
    }

    @Test func unclosedStreamFailsAtEndOfInput() throws {
        let parser = XMLStreamParser()
        let events = try parser.feed(Array((clientHeader + "<message><body>half").utf8))
        #expect(events.count == 1)
        #expect(throws: XMLStreamError.self) { try parser.finish() }
        do {
            try XMLStreamParser().finish()
            Issue.record("finishing an empty stream should fail")
        } catch {
            #expect(error.condition == .notWellFormed)
        }
    }

    @Test func billionLaughsNeverExpands() {
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        let input = Array(Self.billionLaughs.utf8)
        #expect(throws: XMLStreamError.self) {
            try input.withUnsafeBytes { try parser.feed($0, into: &events) }
        }
        #expect(events.isEmpty)
    }

    @Test func errorTextIsUseful() {
        do {
            _ = try parseAll(clientHeader + "<message></body>")
            Issue.record("expected an error")
        } catch {
            #expect(error.condition == .notWellFormed)
            #expect(error.text.contains("line 1"))
            #expect(error.element.child(StreamErrorCondition.notWellFormed.rawValue, namespace: NS.streamErrors) != nil)
        }
    }
}
