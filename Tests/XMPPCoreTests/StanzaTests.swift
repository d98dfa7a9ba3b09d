import Testing
import XMPPCore

@Suite("Stanza views")
struct StanzaTests {
    @Test func recognisesStanzaKinds() throws {
        for kind in StanzaKind.allCases {
            for namespace in [NS.client, NS.server, NS.component] {
                #expect(Stanza(XMLElement(kind.rawValue, namespace: namespace))?.kind == kind)
            }
        }
        #expect(Stanza(XMLElement("message", namespace: NS.streams)) == nil)
        #expect(Stanza(XMLElement("auth", namespace: NS.client)) == nil)
        #expect(Stanza(XMLElement("iq", namespace: "")) == nil)
    }

    @Test func attributesThroughTheView() throws {
        var stanza = try #require(Stanza(try parseElement(
            "<message to='Juliet@Example.com/Balcony' from='romeo@example.net' type='chat' id='m1'/>")))
        #expect(stanza.id == "m1")
        #expect(stanza.type == "chat")
        #expect(try stanza.to == JID("juliet@example.com/Balcony"))
        #expect(try stanza.from == JID("romeo@example.net"))
        #expect(!stanza.isError)
        stanza.id = "m2"
        stanza.type = nil
        stanza.setTo(nil)
        stanza.setFrom(try JID("a@b/c"))
        #expect(stanza.element[attribute: "id"] == "m2")
        #expect(stanza.element[attribute: "type"] == nil)
        #expect(try stanza.to == nil)
        #expect(stanza.element[attribute: "from"] == "a@b/c")
    }

    @Test func malformedAddressesThrow() throws {
        let stanza = try #require(Stanza(XMLElement("presence", namespace: NS.client, attributes: ["to": "a@b@c", "from": ""])))
        #expect(throws: JIDError.invalidDomainpart) { try stanza.to }
        #expect(throws: JIDError.empty) { try stanza.from }
    }

    @Test func errorReplySwapsAddressesAndKeepsPayload() throws {
        let original = try parseElement(
            "<iq to='shakespeare.lit' from='juliet@shakespeare.lit/balcony' type='get' id='x1' xml:lang='en'>"
            + "<query xmlns='jabber:iq:roster'/></iq>")
        let stanza = try #require(Stanza(original))
        let reply = stanza.errorReply(StanzaError(.serviceUnavailable, text: "nope"))
        #expect(reply.name == "iq")
        #expect(reply.namespace == NS.client)
        #expect(reply[attribute: "to"] == "juliet@shakespeare.lit/balcony")
        #expect(reply[attribute: "from"] == "shakespeare.lit")
        #expect(reply[attribute: "type"] == "error")
        #expect(reply[attribute: "id"] == "x1")
        #expect(reply[attribute: "xml:lang"] == "en")
        #expect(reply.elements.map(\.name) == ["query", "error"])
        #expect(reply.serialized(parentNamespace: NS.client)
            == "<iq id='x1' xml:lang='en' from='shakespeare.lit' to='juliet@shakespeare.lit/balcony' type='error'>"
            + "<query xmlns='jabber:iq:roster'/><error type='cancel'>"
            + "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
            + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>nope</text></error></iq>")
        let back = try #require(Stanza(reply))
        #expect(back.isError)
        #expect(back.error?.condition == .serviceUnavailable)
        #expect(back.error?.text == "nope")
    }

    @Test func errorReplyWithoutFromOrPayload() throws {
        let stanza = try #require(Stanza(XMLElement("message", namespace: NS.component, attributes: ["to": "room@muc"],
                                                    children: [.element(XMLElement("body", namespace: NS.component))])))
        let reply = stanza.errorReply(StanzaError(.forbidden), keepingPayload: false)
        #expect(reply[attribute: "to"] == nil)
        #expect(reply[attribute: "from"] == "room@muc")
        #expect(reply.elements.map(\.name) == ["error"])
        #expect(reply.child("error", namespace: NS.component)?[attribute: "type"] == "auth")
    }

    @Test func iqViewAndReplies() throws {
        let element = try parseElement("<iq from='a@b/c' to='b' type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")
        let iq = try #require(IQ(element))
        #expect(iq.type == .get)
        #expect(iq.type.isRequest)
        #expect(iq.id == "p1")
        #expect(iq.payload?.namespace == NS.ping)
        #expect(iq.hasValidPayload)
        let result = iq.resultReply()
        #expect(result.serialized(parentNamespace: NS.client) == "<iq id='p1' type='result' to='a@b/c' from='b'/>")
        let error = try #require(Stanza(iq.errorReply(StanzaError(.featureNotImplemented))))
        #expect(error.error?.type == .cancel)
    }

    @Test func iqValidation() throws {
        #expect(IQ(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"])) == nil)
        #expect(IQ(XMLElement("iq", namespace: NS.client, attributes: ["id": "1", "type": "fetch"])) == nil)
        #expect(IQ(XMLElement("message", namespace: NS.client, attributes: ["id": "1", "type": "get"])) == nil)
        let empty = try #require(IQ(XMLElement("iq", namespace: NS.client, attributes: ["id": "1", "type": "set"])))
        #expect(!empty.hasValidPayload)
        let built = IQ(type: .set, id: "b", to: try JID("example.com"), payload: XMLElement("bind", namespace: NS.bind))
        #expect(built.element.serialized(parentNamespace: NS.client)
            == "<iq id='b' type='set' to='example.com'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>")
        #expect(built.hasValidPayload)
        #expect(IQ(built.element) == built)
    }
}
