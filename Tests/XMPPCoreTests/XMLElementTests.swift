import Testing
import XMPPCore

@Suite("XML element")
struct XMLElementTests {
    @Test func initSortsAttributesAndMapsXmlLang() {
        let element = XMLElement("message", namespace: NS.client, attributes: ["type": "chat", "id": "1", "xml:lang": "en", "to": "a@b"])
        #expect(element.attributes == [
            XMLAttribute(name: "id", value: "1"),
            XMLAttribute(name: "to", value: "a@b"),
            XMLAttribute(name: "type", value: "chat"),
            XMLAttribute(name: "lang", namespace: NS.xml, value: "en"),
        ])
        #expect(element[attribute: "xml:lang"] == "en")
        #expect(element[attribute: "lang"] == nil)
    }

    @Test func attributeSubscriptSetsReplacesAndRemoves() {
        var element = XMLElement("iq", namespace: NS.client, attributes: ["id": "1", "type": "get"])
        element[attribute: "id"] = "2"
        element[attribute: "to"] = "x"
        element[attribute: "type"] = nil
        element[attribute: "missing"] = nil
        #expect(element.attributes == [XMLAttribute(name: "id", value: "2"), XMLAttribute(name: "to", value: "x")])
        element.setAttribute("a", namespace: "urn:a", to: "1")
        #expect(element[attribute: "a"] == nil)
        #expect(element.attribute("a", namespace: "urn:a") == "1")
    }

    @Test func childrenAccessors() {
        var element = XMLElement("message", namespace: NS.client)
        element.append(text: "one ")
        element.append(XMLElement("body", namespace: NS.client, children: [.text("first")]))
        element.append(XMLElement("body", namespace: NS.client, children: [.text("second")]))
        element.append(XMLElement("body", namespace: "urn:other"))
        element.append(text: "two")
        element.append(text: "")
        #expect(element.child("body", namespace: NS.client)?.text == "first")
        #expect(element.children("body", namespace: NS.client).map(\.text) == ["first", "second"])
        #expect(element.child("body", namespace: "urn:nothing") == nil)
        #expect(element.child(namespace: "urn:other")?.name == "body")
        #expect(element.elements.count == 3)
        #expect(element.text == "one two")
        #expect(element.children.count == 5)
        element.removeChildren("body", namespace: NS.client)
        #expect(element.elements.map(\.namespace) == ["urn:other"])
        #expect(element.text == "one two")
    }

    @Test func adjacentTextIsMerged() {
        var element = XMLElement("body", namespace: NS.client)
        element.append(text: "a")
        element.append(text: "b")
        #expect(element.children == [.text("ab")])
    }

    @Test func descriptionIsTheSerialisation() {
        #expect(XMLElement("ping", namespace: NS.ping).description == "<ping xmlns='urn:xmpp:ping'/>")
    }
}
