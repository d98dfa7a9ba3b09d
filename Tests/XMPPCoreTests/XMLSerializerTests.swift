import Testing
import XMPPCore

@Suite("XML serializer")
struct XMLSerializerTests {
    @Test func escapesTextAndAttributes() {
        let element = XMLElement("body", namespace: NS.client, attributes: ["a": "<\"'&>"], children: [.text("a < b && c > d \"q\" 'a' ]]>")])
        #expect(element.serialized(parentNamespace: NS.client)
            == "<body a='&lt;&quot;&apos;&amp;&gt;'>a &lt; b &amp;&amp; c &gt; d \"q\" 'a' ]]&gt;</body>")
    }

    @Test func escapesWhitespaceThatParsersWouldNormalise() {
        let element = XMLElement("x", namespace: "", attributes: ["v": "a\tb\nc\rd"], children: [.text("1\r\n2\t3\n")])
        #expect(element.serialized() == "<x v='a&#9;b&#10;c&#13;d'>1&#13;\n2\t3\n</x>")
    }

    @Test func dropsCharactersXMLCannotHold() {
        let text = "a\u{0}b\u{1}c\u{8}d\u{B}e\u{C}f\u{1F}g\u{FFFE}h\u{FFFF}i\u{FFFD}j\u{10FFFF}"
        let element = XMLElement("x", namespace: "", attributes: ["v": text], children: [.text(text)])
        #expect(element.serialized() == "<x v='abcdefghi\u{FFFD}j\u{10FFFF}'>abcdefghi\u{FFFD}j\u{10FFFF}</x>")
    }

    @Test func writesNamespacesOnlyWhereTheyChange() {
        var message = XMLElement("message", namespace: NS.client, attributes: ["to": "a@b"])
        message.append(XMLElement("body", namespace: NS.client, children: [.text("hi")]))
        message.append(XMLElement("delay", namespace: NS.delay, attributes: ["stamp": "now"]))
        var x = XMLElement("x", namespace: "urn:x")
        x.append(XMLElement("y", namespace: "urn:x"))
        x.append(XMLElement("none", namespace: ""))
        message.append(x)
        #expect(message.serialized(parentNamespace: NS.client)
            == "<message to='a@b'><body>hi</body><delay xmlns='urn:xmpp:delay' stamp='now'/>"
            + "<x xmlns='urn:x'><y/><none xmlns=''/></x></message>")
        #expect(message.serialized().hasPrefix("<message xmlns='jabber:client' to='a@b'>"))
        #expect(message.serialized(parentNamespace: NS.component).hasPrefix("<message xmlns='jabber:client' "))
    }

    @Test func declaresPrefixesForNamespacedAttributes() throws {
        var element = XMLElement("item", namespace: NS.client)
        element.attributes = [
            XMLAttribute(name: "lang", namespace: NS.xml, value: "en"),
            XMLAttribute(name: "a", namespace: "urn:one", value: "1"),
            XMLAttribute(name: "b", namespace: "urn:two", value: "2"),
            XMLAttribute(name: "c", namespace: "urn:one", value: "3"),
            XMLAttribute(name: "plain", value: "4"),
        ]
        let xml = element.serialized(parentNamespace: NS.client)
        #expect(xml == "<item xmlns:ns0='urn:one' xmlns:ns1='urn:two' xml:lang='en' ns0:a='1' ns1:b='2' ns0:c='3' plain='4'/>")
        #expect(try parseElement(xml) == element)
    }

    @Test func skipsAttributesThatWouldBreakNamespaces() {
        var element = XMLElement("x", namespace: "urn:x")
        element.attributes = [
            XMLAttribute(name: "xmlns", value: "urn:evil"),
            XMLAttribute(name: "xmlns:p", value: "urn:evil"),
            XMLAttribute(name: "p", namespace: NS.xmlns, value: "urn:evil"),
            XMLAttribute(name: "ok", value: "1"),
        ]
        #expect(element.serialized(parentNamespace: "urn:x") == "<x ok='1'/>")
    }

    @Test func skipsThemToOnElementsWithPlainAttributesOnly() {
        var element = XMLElement("x", namespace: "urn:x")
        element.attributes = [
            XMLAttribute(name: "xmlns", value: "urn:evil"),
            XMLAttribute(name: "xmlns:p", value: "urn:evil"),
            XMLAttribute(name: "ok", value: "a'b"),
        ]
        #expect(element.serialized(parentNamespace: "urn:x") == "<x ok='a&apos;b'/>")
    }

    @Test func streamElementsUseTheStreamPrefix() throws {
        var features = XMLElement("features", namespace: NS.streams)
        features.append(XMLElement("starttls", namespace: NS.tls, children: [.element(XMLElement("required", namespace: NS.tls))]))
        features.append(XMLElement("ver", namespace: NS.client))
        let xml = features.serialized(parentNamespace: NS.client)
        #expect(xml == "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>"
            + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><ver/></stream:features>")
        #expect(try parseElement(xml) == features)
    }

    @Test func streamHeaderOpeningTag() throws {
        let header = XMLStreamHeader(contentNamespace: NS.client,
                                     attributes: ["from": "example.com", "id": "x'1", "version": "1.0", "xml:lang": "en"])
        #expect(header.openingTag == "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
            + "xmlns='jabber:client' from='example.com' id='x&apos;1' version='1.0' xml:lang='en'>")
        let events = try parseAll(header.openingTag + XMLStreamHeader.closingTag)
        guard case .streamOpened(let parsed)? = events.first, case .streamClosed? = events.last else {
            Issue.record("header did not round-trip")
            return
        }
        #expect(parsed == header)
    }

    static let roundTrips = [
        "<message to='juliet@example.com/balcony' type='chat' id='1'><body>Wherefore art thou? &amp; &lt;3 &gt; \"' ]]&gt;</body></message>",
        "<iq type='get' id='2'><query xmlns='http://jabber.org/protocol/disco#info' node='n&amp;'/></iq>",
        "<presence xml:lang='de'><status>  leading and trailing  </status><c xmlns='http://jabber.org/protocol/caps' hash='sha-1'/></presence>",
        "<message><x xmlns='jabber:x:data' type='form'><field var='a'><value>1\n2</value></field></x><e xmlns=''/></message>",
        "<message xmlns:p='urn:p' p:a='1' b='&#9;&#10;&#13;'><body>line1&#13;\nline2\ttab 😀 日本</body></message>",
        "<message><body>mixed <b>bold</b> and <i xmlns='urn:i'>text</i> tail</body></message>",
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
    ]

    @Test(arguments: roundTrips)
    func parseSerializeParseIsStable(_ xml: String) throws {
        let first = try parseElement(xml)
        let written = first.serialized(parentNamespace: NS.client)
        let second = try parseElement(written)
        #expect(second == first)
        #expect(second.serialized(parentNamespace: NS.client) == written)
    }

    @Test func roundTripsEveryEscapableCharacter() throws {
        let all = "\t\n\r" + String(String.UnicodeScalarView((0x20...0x7E).compactMap(Unicode.Scalar.init))) + "é\u{10FFFF}"
        let element = XMLElement("body", namespace: NS.client, attributes: ["all": all], children: [.text(all)])
        #expect(try parseElement(element.serialized(parentNamespace: NS.client)) == element)
    }

    @Test func serializeAppendsToTheBuffer() {
        var buffer = Array("<x>".utf8)
        XMLElement("presence", namespace: NS.client).serialize(into: &buffer, parentNamespace: NS.client)
        #expect(String(decoding: buffer, as: UTF8.self) == "<x><presence/>")
    }
}
