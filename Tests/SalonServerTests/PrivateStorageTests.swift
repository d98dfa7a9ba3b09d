import SalonClient
import Testing
import XMPPCore

@Suite("XEP-0049 private XML storage over the wire")
struct PrivateStorageTests {
    let domain = TestServer.domain

    func privateIQ(_ type: String, to: String? = nil, _ children: [XMLElement]) -> XMLElement {
        var attributes = ["type": type]
        if let to { attributes["to"] = to }
        return XMLElement("iq", namespace: NS.client, attributes: attributes, children: [
            .element(XMLElement("query", namespace: "jabber:iq:private", children: children.map { .element($0) })),
        ])
    }

    @Test("Elements are stored by namespace, read back, replaced, and an unknown one comes back empty")
    func storeAndRetrieve() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            var prefs = XMLElement("prefs", namespace: "urn:example:prefs")
            prefs.append(textElement("colour", namespace: "urn:example:prefs", "teal"))
            let stored = try await alice.request(privateIQ("set", [prefs, XMLElement("notes", namespace: "urn:example:notes")]))
            #expect(stored[attribute: "type"] == "result")

            let read = try await alice.request(privateIQ("get", [XMLElement("prefs", namespace: "urn:example:prefs")]))
            let element = read.child("query", namespace: "jabber:iq:private")?.child("prefs", namespace: "urn:example:prefs")
            #expect(element?.child("colour", namespace: "urn:example:prefs")?.text == "teal")

            let unknown = try await alice.request(privateIQ("get", to: "alice@\(domain)", [XMLElement("other", namespace: "urn:example:other")]))
            #expect(unknown[attribute: "type"] == "result")
            #expect(unknown.child("query", namespace: "jabber:iq:private")?.child("other", namespace: "urn:example:other")?.elements.isEmpty == true)

            // A second login sees the same storage.
            let again = try await server.login("alice", resource: "phone")
            let second = try await again.request(privateIQ("get", [XMLElement("prefs", namespace: "urn:example:prefs")]))
            #expect(second.child("query", namespace: "jabber:iq:private")?.child("prefs", namespace: "urn:example:prefs")?
                .child("colour", namespace: "urn:example:prefs")?.text == "teal")
        }
    }

    @Test("Another account's storage is forbidden; malformed and reserved requests are refused; a full storage says so")
    func refusals() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let bob = try await server.login("bob")
            let foreign = try await bob.request(privateIQ("get", to: "alice@\(domain)", [XMLElement("prefs", namespace: "urn:example:prefs")]))
            #expect(errorCondition(foreign) == "forbidden")

            let two = try await bob.request(privateIQ("get", [XMLElement("a", namespace: "urn:a"), XMLElement("b", namespace: "urn:b")]))
            #expect(errorCondition(two) == "bad-request")
            let none = try await bob.request(privateIQ("set", []))
            #expect(errorCondition(none) == "bad-request")
            let reserved = try await bob.request(privateIQ("set", [XMLElement("x", namespace: "jabber:iq:private")]))
            #expect(errorCondition(reserved) == "not-acceptable")
            let duplicate = try await bob.request(privateIQ("set", [XMLElement("a", namespace: "urn:a"), XMLElement("b", namespace: "urn:a")]))
            #expect(errorCondition(duplicate) == "bad-request")

            let many = (0 ..< 65).map { XMLElement("x", namespace: "urn:example:\($0)") }
            let full = try await bob.request(privateIQ("set", many))
            #expect(errorCondition(full) == "not-allowed")
            let nothingKept = try await bob.request(privateIQ("get", [XMLElement("x", namespace: "urn:example:0")]))
            #expect(nothingKept.child("query", namespace: "jabber:iq:private")?.child("x", namespace: "urn:example:0")?.attributes.isEmpty == true)
        }
    }

    @Test("The server advertises jabber:iq:private and PEP")
    func advertised() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            let info = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": domain],
                                                          children: [.element(XMLElement("query", namespace: NS.discoInfo))]))
            let features = info.child("query", namespace: NS.discoInfo)?.children("feature", namespace: NS.discoInfo).compactMap { $0[attribute: "var"] } ?? []
            #expect(features.contains("jabber:iq:private"))
            #expect(features.contains("http://jabber.org/protocol/pubsub#publish"))
            #expect(info.child("query", namespace: NS.discoInfo)?.children("identity", namespace: NS.discoInfo)
                .contains { $0[attribute: "category"] == "pubsub" && $0[attribute: "type"] == "pep" } == true)
        }
    }
}
