import Testing
import XMPPCore

@Suite("XEP-0004 data forms")
struct DataFormTests {
    @Test("A form survives serialisation and parsing, with options, required and multi values")
    func roundTrip() throws {
        let form = DataForm(type: .form, formType: "http://jabber.org/protocol/muc#roomconfig", title: "Configure", fields: [
            DataForm.Field("muc#roomconfig_roomname", type: "text-single", label: "Name", values: ["Design <Review>"], required: true),
            DataForm.Field("salon#privacy", type: "list-single", values: ["closed"],
                           options: [(label: "Open", value: "open"), (label: "Closed", value: "closed")]),
            DataForm.Field("salon#members", type: "jid-multi", values: ["a@x", "b@x"]),
        ])
        var bytes: [UInt8] = []
        form.element.serialize(into: &bytes, parentNamespace: "jabber:client")
        let parsed = try XMLStreamParser().feed(Array("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>".utf8) + bytes)
        guard case .stanza(let element) = try #require(parsed.last) else { Issue.record("no element"); return }
        let back = try #require(DataForm(element))
        #expect(back == form)
        #expect(back.formType == "http://jabber.org/protocol/muc#roomconfig")
        #expect(back.values("salon#members") == ["a@x", "b@x"])
        #expect(back["salon#privacy"]?.options.map(\.value) == ["open", "closed"])
        #expect(back["muc#roomconfig_roomname"]?.required == true)
    }

    @Test("Booleans read 1/true and 0/false; anything else is nil")
    func booleans() {
        let form = DataForm(type: .submit, fields: [
            DataForm.Field("a", values: ["1"]), DataForm.Field("b", values: ["false"]), DataForm.Field("c", values: ["maybe"]),
        ])
        #expect(form.bool("a") == true)
        #expect(form.bool("b") == false)
        #expect(form.bool("c") == nil)
        #expect(form.bool("missing") == nil)
    }

    @Test("Elements that are not forms are refused")
    func notAForm() {
        #expect(DataForm(XMLElement("x", namespace: "jabber:x:conference", attributes: ["type": "form"])) == nil)
        #expect(DataForm(XMLElement("x", namespace: DataForm.namespace)) == nil)
    }
}

@Suite("Stored stanzas parse back")
struct StoredStanzaTests {
    @Test("A serialised stanza parses back to an equal element")
    func roundTrip() throws {
        var message = XMLElement("message", namespace: NS.client, attributes: ["type": "groupchat", "from": "r@chat.x/nick"])
        message.append(XMLElement("body", namespace: NS.client, children: [.text("1 < 2 & \"quotes\"")]))
        message.append(XMLElement("stanza-id", namespace: "urn:xmpp:sid:0", attributes: ["id": "abc", "by": "r@chat.x"]))
        let text = message.serialized(parentNamespace: NS.client)
        #expect(try XMLStreamParser.parseStanza(text, namespace: NS.client) == message)
        #expect(throws: XMLStreamError.self) { try XMLStreamParser.parseStanza("<unclosed>", namespace: NS.client) }
    }
}

@Suite("XEP-0059 result sets")
struct ResultSetTests {
    @Test("Requests parse max, after, before (empty = last page); malformed ones are refused")
    func requests() throws {
        let ns = ResultSetRequest.namespace
        var set = XMLElement("set", namespace: ns)
        set.append(XMLElement("max", namespace: ns, children: [.text("10")]))
        set.append(XMLElement("before", namespace: ns))
        let request = try #require(ResultSetRequest(set))
        #expect(request.max == 10 && request.before == "" && request.after == nil)
        let negative = XMLElement("set", namespace: ns, children: [.element(XMLElement("max", namespace: ns, children: [.text("-1")]))])
        #expect(ResultSetRequest(negative) == nil)
    }

    @Test("Pages report first (with index), last and count")
    func pages() {
        let page = ResultSetPage(first: "a", firstIndex: 0, last: "b", count: 7).element
        #expect(page.child("first", namespace: ResultSetRequest.namespace)?[attribute: "index"] == "0")
        #expect(page.child("last", namespace: ResultSetRequest.namespace)?.text == "b")
        #expect(page.child("count", namespace: ResultSetRequest.namespace)?.text == "7")
    }
}
