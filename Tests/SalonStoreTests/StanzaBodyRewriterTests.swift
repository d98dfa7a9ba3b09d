import Testing
@testable import SalonStore

@Suite struct StanzaBodyRewriterTests {
    @Test func rewritesEveryBodyAndKeepsTheRest() {
        let stanza = "<message id='a>b'><body xml:lang='en'>old</body><bodyguard/><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>old</p></body></html></message>"
        let expected = "<message id='a>b'><body xml:lang='en'>new &amp; &lt;x&gt;</body><bodyguard/><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>new &amp; &lt;x&gt;</body></html></message>"
        #expect(StanzaBodyRewriter.replacingBodies(of: stanza, with: "new & <x>") == expected)
    }

    @Test func handlesEmptyMissingAndBrokenBodies() {
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message><body/></message>", with: "x") == "<message><body>x</body></message>")
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message><subject>s</subject></message>", with: "x")
                == "<message><subject>s</subject></message>")
        #expect(StanzaBodyRewriter.replacingBodies(of: "<message><body>unterminated", with: "x") == "<message><body>unterminated")
        #expect(StanzaBodyRewriter.replacingBodies(of: "<body", with: "x") == "<body")
        #expect(StanzaBodyRewriter.replacingBodies(of: "", with: "x") == "")
    }
}
