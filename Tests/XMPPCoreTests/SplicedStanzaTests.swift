import Testing
import XMPPCore

@Suite("Spliced stanzas")
struct SplicedStanzaTests {
    @Test("Each copy is the stanza addressed to its recipient, escaped, and parses back the same")
    func copiesParseBack() throws {
        var message = XMLElement("message", namespace: NS.client, attributes: ["from": "room@chat.example/nick", "type": "groupchat", "to": "old@x"])
        message.append(.init("body", namespace: NS.client, children: [.text("a < b & 'c'")]))
        let spliced = SplicedStanza(message, parentNamespace: NS.client)
        let recipient = "alice@example.com/it's <mine>"
        let bytes = spliced.head + SplicedStanza.address(recipient) + spliced.tail
        let parsed = try XMLStreamParser.parseStanza(String(decoding: bytes, as: UTF8.self), namespace: NS.client)
        #expect(parsed[attribute: "to"] == recipient)
        #expect(parsed[attribute: "from"] == "room@chat.example/nick" && parsed[attribute: "type"] == "groupchat")
        #expect(parsed.children == message.children && parsed.attributes.count == 3)
        #expect(String(decoding: spliced.head, as: UTF8.self) == "<message")
        #expect(!String(decoding: spliced.tail, as: UTF8.self).contains("old@x"))
    }
}
