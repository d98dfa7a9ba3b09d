@testable import SalonAdmin
import Testing
import XMPPCore

@Suite struct StanzaBodyRewriterTests {
    @Test func rewritesEveryBodyAndKeepsTheRest() {
        let stanza = "<message id='a&gt;b'><body xml:lang='en'>old</body><bodyguard/><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>old</p></body></html></message>"
        let expected = "<message id='a&gt;b'><body xml:lang='en'>new &amp; &lt;x&gt;</body><bodyguard/><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>new &amp; &lt;x&gt;</body></html></message>"
        #expect(StanzaBodyRewriter.replacingBodies(of: stanza, with: "new & <x>") == expected)
    }

    @Test func handlesEmptyMissingAndBrokenBodies() {
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message><body/></message>", with: "x") == "<message><body>x</body></message>")
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message><body>old</body></message>", with: "") == "<message><body></body></message>")
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message><subject>s</subject></message>", with: "x")
                == "<message><subject>s</subject></message>")
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message><body>unterminated", with: "x") == "<message><body>unterminated")
        #expect(StanzaBodyRewriter.replacingBodies(of: "<body", with: "x") == "<body")
        #expect(StanzaBodyRewriter.replacingBodies(of: "", with: "x") == "")
    }

    @Test("The replacement is escaped as character data: markup characters, not quotes")
    func escapesTheReplacement() {
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message><body>old</body></message>", with: "a < b & c > d \"q\" 'a'")
                == "<message><body>a &lt; b &amp; c &gt; d \"q\" 'a'</body></message>")
    }

    @Test("A stanza as the server stores it comes back byte for byte, but for its bodies")
    func keepsTheServersSerialisation() throws {
        func stanza(_ body: String) -> XMLElement {
            var message = XMLElement("message", namespace: NS.client, attributeList: [
                XMLAttribute(name: "from", value: "lobby@chat.example.com/Al"), XMLAttribute(name: "type", value: "groupchat"),
                XMLAttribute(name: "id", value: "m'1\""), XMLAttribute(name: "lang", namespace: NS.xml, value: "en"),
            ])
            message.append(XMLElement("body", namespace: NS.client, children: [.text(body)]))
            message.append(XMLElement("html", namespace: "http://jabber.org/protocol/xhtml-im", children: [
                .element(XMLElement("body", namespace: "http://www.w3.org/1999/xhtml", children: [.text(body)])),
            ]))
            message.append(XMLElement("stanza-id", namespace: "urn:xmpp:sid:0", attributes: ["id": "s1", "by": "lobby@chat.example.com"]))
            message.append(XMLElement("occupant-id", namespace: "urn:xmpp:occupant-id:0", attributes: ["id": "o1"]))
            return message
        }
        let stored = stanza("first <draft> & more").serialized(parentNamespace: NS.client)
        #expect(StanzaBodyRewriter.replacingBodies(of: stored, with: "gone & <done>")
                == stanza("gone & <done>").serialized(parentNamespace: NS.client))
    }

    @Test("A stanza written by hand comes back in the serializer's form, which means the same")
    func normalisesHandWrittenMarkup() {
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message id=\"a>b\"><body>old</body></message>", with: "new")
                == "<message id='a&gt;b'><body>new</body></message>")
    }
}
