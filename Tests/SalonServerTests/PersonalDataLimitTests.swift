import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// The `limits.pep_*` and `limits.private_storage_*` keys bound what an account keeps.
@Suite("Personal data limits from the configuration")
struct PersonalDataLimitTests {
    let domain = TestServer.domain

    private func note(_ text: String) -> XMLElement {
        textElement("note", namespace: "urn:example:payload", text)
    }

    @Test("Nodes, items per node, item bytes, subscribers and private storage namespaces follow the configuration")
    func configuredLimits() async throws {
        try await withServer(configure: { configuration in
            configuration.limits.personalData.pepNodes = 2
            configuration.limits.personalData.pepItemsPerNode = 3
            configuration.limits.personalData.pepItemBytes = 200
            configuration.limits.personalData.pepSubscribersPerNode = 1
            configuration.limits.personalData.privateStorageNamespaces = 1
        }) { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            try await server.addUser("carol")
            let alice = try await server.login("alice")
            for node in ["urn:example:a", "urn:example:b"] {
                #expect(try await alice.request(PubSubWire.publish(node: node, payload: note("x"),
                                                                   options: ["pubsub#access_model": "open"]))[attribute: "type"] == "result")
            }
            #expect(errorCondition(try await alice.request(PubSubWire.publish(node: "urn:example:c", payload: note("x")))) == "policy-violation")
            let big = try await alice.request(PubSubWire.publish(node: "urn:example:a", payload: note(String(repeating: "x", count: 300))))
            #expect(PubSubWire.applicationCondition(big) == "payload-too-big")

            // max_items "max" is the configured bound, and the form says so.
            #expect(try await alice.request(PubSubWire.ownerRequest("set", "configure", node: "urn:example:a", form: DataForm(
                type: .submit, formType: "http://jabber.org/protocol/pubsub#node_config", fields: [DataForm.Field("pubsub#max_items", values: ["max"])])
            ))[attribute: "type"] == "result")
            for id in ["1", "2", "3", "4"] {
                #expect(try await alice.request(PubSubWire.publish(node: "urn:example:a", id: id, payload: note(id)))[attribute: "type"] == "result")
            }
            #expect(PubSubWire.itemIDs(try await alice.request(PubSubWire.items(node: "urn:example:a"))) == ["2", "3", "4"])

            for (name, expected) in [("bob", "result"), ("carol", "error")] {
                let client = try await server.login(name)
                let reply = try await client.request(PubSubWire.iq("set", to: "alice@\(domain)", XMLElement("pubsub", namespace: PubSubWire.ns, children: [
                    .element(XMLElement("subscribe", namespace: PubSubWire.ns, attributes: ["node": "urn:example:a", "jid": client.jid.description])),
                ])))
                #expect(reply[attribute: "type"] == expected, "\(name)")
            }

            func store(_ namespace: String) -> XMLElement {
                PubSubWire.iq("set", XMLElement("query", namespace: "jabber:iq:private", children: [.element(XMLElement("data", namespace: namespace))]))
            }
            #expect(try await alice.request(store("urn:example:one"))[attribute: "type"] == "result")
            #expect(errorCondition(try await alice.request(store("urn:example:two"))) == "not-allowed")
        }
    }
}
