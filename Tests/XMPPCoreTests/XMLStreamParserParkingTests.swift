import Testing
import XMPPCore

/// An idle stream's parser is freed between stanzas (`park()`) and made again, primed with the
/// stream's header, on the next bytes: what follows must parse exactly as without the pause.
@Suite("XML stream parser: parked while idle")
struct XMLStreamParserParkingTests {
    /// Feeds `chunks`, parking the parser after each one where it may; returns the events and
    /// how many times it parked.
    static func parse(_ chunks: [String], limits: XMLStreamLimits = XMLStreamLimits()) throws(XMLStreamError) -> ([XMLStreamEvent], Int) {
        let parser = XMLStreamParser(limits: limits)
        var events: [XMLStreamEvent] = []
        var parked = 0
        for chunk in chunks {
            events += try parser.feed(Array(chunk.utf8))
            if parser.park() { parked += 1 }
        }
        return (events, parked)
    }

    static let stanzas = ["<message to='a@b'><body>one</body></message>", "<x:iq xmlns:x='jabber:client' type='get' id='1'><ping xmlns='urn:xmpp:ping'/></x:iq>",
                          "<presence><status>here &amp; there</status></presence>", " \n", "<stream:error><stream:not-authorized/></stream:error>"]

    @Test func stanzasAfterAParkParseAsWithout() throws {
        let unparked = try XMLStreamParser().feed(Array((clientHeader + Self.stanzas.joined()).utf8))
        let (events, parked) = try Self.parse([clientHeader] + Self.stanzas)
        #expect(summary(events) == summary(unparked))
        #expect(parked == Self.stanzas.count + 1)
    }

    /// Split reads: the parser parks only where nothing is held, and the next piece completes
    /// the stanza whatever the split.
    @Test func aStanzaSplitAcrossReadsAfterAPark() throws {
        let stanza = "<message to='a@b' id='m1'><body>split ü here</body></message>"
        let unparked = try XMLStreamParser().feed(Array((clientHeader + stanza).utf8))
        let bytes = Array(stanza.utf8)
        for cut in 1 ..< bytes.count {
            let parser = XMLStreamParser()
            var events = try parser.feed(Array(clientHeader.utf8))
            #expect(parser.park())
            events += try parser.feed(Array(bytes[..<cut]))
            #expect(!parser.park(), "parked mid-stanza at byte \(cut)")
            events += try parser.feed(Array(bytes[cut...]))
            #expect(summary(events) == summary(unparked))
        }
    }

    @Test func noParkBeforeTheStreamHeaderOrAfterItsEnd() throws {
        let parser = XMLStreamParser()
        #expect(!parser.park())
        _ = try parser.feed(Array("<?xml version='1.0'?><stream:stream xmlns='jabber:client' ".utf8))
        #expect(!parser.park())
        _ = try parser.feed(Array("xmlns:stream='http://etherx.jabber.org/streams'>".utf8))
        #expect(parser.park())
        let events = try parser.feed(Array("</stream:stream>".utf8))
        #expect(summary(events) == ["close"])
        #expect(!parser.park())
    }

    /// Limits and errors after a park are those of the stream, counted from its real bytes.
    @Test func limitsAndErrorsHoldAfterAPark() {
        func failure(_ after: String, limits: XMLStreamLimits = XMLStreamLimits()) -> StreamErrorCondition? {
            do {
                _ = try Self.parse([clientHeader, "<presence/>", after], limits: limits)
                return nil
            } catch {
                return error.condition
            }
        }
        #expect(failure("<message><body>" + String(repeating: "a", count: 5_000) + "</body></message>",
                        limits: XMLStreamLimits(maxStanzaBytes: 4_096)) == .policyViolation)
        #expect(failure("<message></presence>") == .notWellFormed)
        #expect(failure("<y:message/>") == .badNamespacePrefix)
        #expect(failure("hello") == .badFormat)
        #expect(failure("<!-- hi -->") == .restrictedXML)
        #expect(failure(String(repeating: "<a>", count: 200)) == .policyViolation)
    }

    /// `finish()` on a parked, unclosed stream reports it unclosed.
    @Test func finishingAParkedStreamThatWasNotClosed() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array(clientHeader.utf8))
        #expect(parser.park())
        #expect(throws: XMLStreamError.self) { try parser.finish() }
    }
}
