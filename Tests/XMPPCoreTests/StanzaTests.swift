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

    @Test func resultReply() throws {
        let get = try #require(Stanza(try parseElement("<iq from='a@b/c' to='b' type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")))
        #expect(get.resultReply(nil).serialized(parentNamespace: NS.client) == "<iq from='b' id='p1' to='a@b/c' type='result'/>")
        let withPayload = get.resultReply(XMLElement("query", namespace: NS.roster))
        #expect(withPayload.elements.map(\.namespace) == [NS.roster])
        #expect(withPayload[attribute: "type"] == "result")
        #expect(withPayload[attribute: "id"] == "p1")
    }

    @Test func resultReplyToAnIQWithoutAddresses() throws {
        let set = try #require(Stanza(try parseElement("<iq type='set' id='s'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>")))
        let reply = set.resultReply(nil)
        #expect(reply[attribute: "to"] == nil)
        #expect(reply[attribute: "from"] == nil)
        #expect(reply[attribute: "id"] == "s")
        #expect(reply.elements.isEmpty)
    }
}
