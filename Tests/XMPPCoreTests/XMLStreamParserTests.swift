import Testing
import XMPPCore

@Suite("XML stream parser")
struct XMLStreamParserTests {
    /// A complete c2s session as a client would send it, including non-ASCII text.
    static let session = clientHeader + """
    <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> \
    <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABy</auth>\n\
    <iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>balcony</resource></bind></iq>\
    <message to='romeo@example.net' type='chat' id='m1' xml:lang='fr'><body>Ô Roméo &amp; &lt;3 — 日本語 😀 &#x41;&#66;</body>\
    <delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/></message>\
    <presence><show>away</show><status><![CDATA[<not a tag>]]></status></presence>\
    </stream:stream>
    """

    @Test func parsesCompleteClientStream() throws {
        let events = try parseAll(Self.session)
        #expect(events.count == 7)
        guard case .streamOpened(let header)? = events.first else {
            Issue.record("first event is not the stream header")
            return
        }
        #expect(header.name == "stream")
        #expect(header.namespace == NS.streams)
        #expect(header.contentNamespace == NS.client)
        #expect(header.attributes == ["to": "example.com", "version": "1.0", "xml:lang": "en"])
        guard case .streamClosed? = events.last else {
            Issue.record("last event is not the stream close")
            return
        }
        let elements = stanzas(events)
        #expect(elements.map(\.name) == ["starttls", "auth", "iq", "message", "presence"])
        #expect(elements[0].namespace == NS.tls)
        #expect(elements[1].text == "AGp1bGlldABy")
        #expect(elements[1][attribute: "mechanism"] == "PLAIN")
        #expect(elements[2].namespace == NS.client)
        #expect(elements[2].child("bind", namespace: NS.bind)?.child("resource", namespace: NS.bind)?.text == "balcony")
        let message = elements[3]
        #expect(message.namespace == NS.client)
        #expect(message[attribute: "xml:lang"] == "fr")
        #expect(message.attribute("lang", namespace: NS.xml) == "fr")
        #expect(message.child("body", namespace: NS.client)?.text == "Ô Roméo & <3 — 日本語 😀 AB")
        #expect(message.child("body", namespace: NS.client)?.children.count == 1)
        #expect(message.child("delay", namespace: NS.delay)?[attribute: "stamp"] == "2002-09-10T23:08:25Z")
        #expect(elements[4].child("status", namespace: NS.client)?.text == "<not a tag>")
    }

    @Test func byteAtATimeGivesTheSameEvents() throws {
        let bytes = Array(Self.session.utf8)
        let whole = try parseAll(Self.session)
        let single = try parseChunked(bytes, size: 1)
        #expect(summary(single) == summary(whole))
    }

    @Test(arguments: [2, 3, 5, 7, 64, 1000])
    func anyChunkingGivesTheSameEvents(size: Int) throws {
        #expect(summary(try parseChunked(Array(Self.session.utf8), size: size)) == summary(try parseAll(Self.session)))
    }

    @Test func chunkBoundariesInsideMultiByteCharacters() throws {
        let text = "é日😀ü"
        let input = Array((clientHeader + "<message><body>" + text + "</body></message>").utf8)
        let bodyStart = input.count - Array("</body></message>".utf8).count - Array(text.utf8).count
        // Split at every offset inside the text, so each multi-byte sequence is cut somewhere.
        for cut in bodyStart...(bodyStart + text.utf8.count) {
            let parser = XMLStreamParser()
            var events: [XMLStreamEvent] = []
            try input[..<cut].withUnsafeBytes { try parser.feed($0, into: &events) }
            try input[cut...].withUnsafeBytes { try parser.feed($0, into: &events) }
            let body = stanzas(events).first?.child("body", namespace: NS.client)
            #expect(body?.text == text, "cut at \(cut)")
            #expect(body?.children.count == 1, "text split into several nodes at \(cut)")
        }
    }

    @Test func eventsArriveAsSoonAsTheyAreComplete() throws {
        let parser = XMLStreamParser()
        #expect(summary(try parser.feed(Array(clientHeader.utf8))).count == 1)
        #expect(try parser.feed(Array("<message><body>hi</bo".utf8)).isEmpty)
        let events = try parser.feed(Array("dy></message>".utf8))
        #expect(stanzas(events).first?.child("body", namespace: NS.client)?.text == "hi")
        guard case .streamClosed? = try parser.feed(Array("</stream:stream>".utf8)).first else {
            Issue.record("no streamClosed event")
            return
        }
        try parser.finish()
    }

    @Test func whitespaceKeepalivesAreIgnored() throws {
        let limits = XMLStreamLimits(maxStanzaBytes: 64)
        let parser = XMLStreamParser(limits: limits)
        _ = try parser.feed(Array(clientHeader.utf8))
        // Far more whitespace in total than one stanza may hold: it never accumulates.
        for _ in 0..<100 {
            #expect(try parser.feed(Array(" \n\t\r ".utf8)).isEmpty)
        }
        #expect(stanzas(try parser.feed(Array("<presence/>".utf8))).count == 1)
    }

    @Test func componentStreamHeader() throws {
        let header = "<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='muc.example.com'>"
        let events = try parseAll(header + "<handshake>abc</handshake>")
        guard case .streamOpened(let opened)? = events.first else {
            Issue.record("no header")
            return
        }
        #expect(opened.contentNamespace == NS.component)
        #expect(opened.attributes == ["to": "muc.example.com"])
        #expect(stanzas(events).first?.namespace == NS.component)
    }

    @Test func streamWithoutDefaultNamespace() throws {
        let events = try parseAll("<s:stream xmlns:s='http://etherx.jabber.org/streams'><s:features/>")
        guard case .streamOpened(let header)? = events.first else {
            Issue.record("no header")
            return
        }
        #expect(header.contentNamespace == "")
        #expect(stanzas(events).first.map { ($0.name, $0.namespace) } ?? ("", "") == ("features", NS.streams))
    }

    @Test func preservesAttributesAndNamespaces() throws {
        let element = try parseElement(
            "<iq xmlns:p='urn:example:p' type='get' p:flag='1' id='x'><query xmlns='jabber:iq:roster' ver=''><item jid='a@b'/></query></iq>")
        #expect(element.attributes == [
            XMLAttribute(name: "type", value: "get"),
            XMLAttribute(name: "flag", namespace: "urn:example:p", value: "1"),
            XMLAttribute(name: "id", value: "x"),
        ])
        let query = try #require(element.child("query", namespace: NS.roster))
        #expect(query[attribute: "ver"] == "")
        #expect(query.child("item", namespace: NS.roster)?[attribute: "jid"] == "a@b")
    }

    @Test func stanzaAtExactlyTheSizeLimitIsAccepted() throws {
        let stanza = "<message><body>" + String(repeating: "x", count: 100) + "</body></message>"
        let exact = XMLStreamLimits(maxStanzaBytes: stanza.utf8.count)
        #expect(stanzas(try parseAll(clientHeader + stanza + stanza, limits: exact)).count == 2)
        #expect(stanzas(try parseChunked(Array((clientHeader + stanza + " " + stanza).utf8), size: 1, limits: exact)).count == 2)
        let tooSmall = XMLStreamLimits(maxStanzaBytes: stanza.utf8.count - 1)
        #expect(condition(of: Array((clientHeader + stanza).utf8), limits: tooSmall) == .policyViolation)
    }

    @Test func depthAtExactlyTheLimitIsAccepted() throws {
        let limits = XMLStreamLimits(maxDepth: 4)
        // The stanza is depth 1, so four nested elements reach depth 4.
        let deepest = "<message><a><b><c/></b></a></message>"
        #expect(stanzas(try parseAll(clientHeader + deepest, limits: limits)).count == 1)
        let tooDeep = "<message><a><b><c><d/></c></b></a></message>"
        #expect(condition(of: Array((clientHeader + tooDeep).utf8), limits: limits) == .policyViolation)
    }

    @Test func eventsBeforeAnErrorAreKept() {
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        let input = Array((clientHeader + "<presence/><message><body>x</message>").utf8)
        #expect(throws: XMLStreamError.self) {
            try input.withUnsafeBytes { try parser.feed($0, into: &events) }
        }
        #expect(events.count == 2)
        #expect(stanzas(events).first?.name == "presence")
    }

    @Test func parserStaysDeadUntilReset() throws {
        let parser = XMLStreamParser()
        #expect(throws: XMLStreamError(.restrictedXML, text: "comments are not allowed")) {
            try parser.feed(Array("<!-- hi -->".utf8))
        }
        // Even valid input is refused with the same error.
        #expect(throws: XMLStreamError(.restrictedXML, text: "comments are not allowed")) {
            try parser.feed(Array(clientHeader.utf8))
        }
        parser.reset()
        #expect(try parser.feed(Array(clientHeader.utf8)).count == 1)
    }

    @Test func resetExpectsANewStreamHeader() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array((clientHeader + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>").utf8))
        parser.reset()
        let events = try parser.feed(Array((clientHeader + "<presence/>").utf8))
        #expect(events.count == 2)
        guard case .streamOpened? = events.first else {
            Issue.record("no new header after reset")
            return
        }
    }

    @Test func finishAfterAClosedStreamSucceeds() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array((clientHeader + "</stream:stream>").utf8))
        try parser.finish()
    }

    @Test func headerAtExactlyTheSizeLimitIsAccepted() throws {
        let header = Array(clientHeader.utf8)
        #expect(try XMLStreamParser(limits: XMLStreamLimits(maxHeaderBytes: header.count)).feed(header).count == 1)
        #expect(condition(of: header, limits: XMLStreamLimits(maxHeaderBytes: header.count - 1)) == .policyViolation)
        #expect(condition(of: header, chunkSize: 1, limits: XMLStreamLimits(maxHeaderBytes: header.count - 1)) == .policyViolation)
    }

    @Test func manyDistinctLongNamesKeepTheirIdentity() throws {
        // More distinct long namespaces than the parser caches, each used twice.
        let namespaces = (0..<600).map { "urn:example:a-rather-long-namespace:\($0 % 300)" }
        let xml = namespaces.map { "<x xmlns='\($0)' long-attribute-name-\($0.utf8.count)='v'/>" }.joined()
        let elements = try parseElement("<message>" + xml + "</message>").elements
        #expect(elements.map(\.namespace) == namespaces)
        #expect(elements.allSatisfy { $0.attributes.first?.name.hasPrefix("long-attribute-name-") == true })
    }

    @Test func emptyFeedDoesNothing() throws {
        #expect(try XMLStreamParser().feed([]).isEmpty)
    }
}
