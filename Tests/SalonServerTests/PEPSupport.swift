import SalonClient
@testable import SalonServer
import SalonStore
import XMPPCore

/// Helpers for PEP, private storage and bookmark tests.
extension TestServer {
    /// Makes `a` and `b` subscribed to each other's presence (before either logs in).
    func befriend(_ a: String, _ b: String) async throws {
        let domain = TestServer.domain
        _ = try await database.rosters.upsert(owner: "\(a)@\(domain)", item: RosterItem(jid: "\(b)@\(domain)", subscription: "both"))
        _ = try await database.rosters.upsert(owner: "\(b)@\(domain)", item: RosterItem(jid: "\(a)@\(domain)", subscription: "both"))
    }

    /// Logs in with entity capabilities that show `+notify` for `nodes` (XEP-0115), answers the
    /// server's disco#info about them if it asks, and returns once the server has the answer.
    func onlineWithInterest(_ name: String, resource: String? = nil, nodes: [String]) async throws -> XMPPClient {
        let client = try await login(name, resource: resource)
        let info = capsInfo(nodes)
        let ver = CapsCache.verificationHash(info, .sha1)
        client.send(XMLElement("presence", namespace: NS.client, children: [.element(XMLElement("c", namespace: Caps.ns, attributes: [
            "hash": "sha-1", "node": "urn:salon:test", "ver": ver,
        ]))]))
        try await client.ping()
        // The query, if any, was sent before the ping's answer; the ping after the answer
        // proves the server has read it.
        if let query = client.unclaimed.first(where: { $0.name == "iq" && $0.child("query", namespace: NS.discoInfo) != nil }) {
            _ = try await client.expect { $0[attribute: "id"] == query[attribute: "id"] && $0.name == "iq" }
            var answer = info
            answer[attribute: "node"] = "urn:salon:test#\(ver)"
            client.send(XMLElement("iq", namespace: NS.client, attributes: [
                "type": "result", "id": query[attribute: "id"]!, "to": query[attribute: "from"]!,
            ], children: [.element(answer)]))
            try await client.ping()
        }
        return client
    }

    private func capsInfo(_ nodes: [String]) -> XMLElement {
        var query = XMLElement("query", namespace: NS.discoInfo)
        query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "client", "type": "pc", "name": "test"]))
        for feature in [NS.discoInfo] + nodes.map({ $0 + "+notify" }) {
            query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": feature]))
        }
        return query
    }
}

enum PubSubWire {
    static let ns = "http://jabber.org/protocol/pubsub"
    static let owner = "http://jabber.org/protocol/pubsub#owner"
    static let event = "http://jabber.org/protocol/pubsub#event"
    static let errors = "http://jabber.org/protocol/pubsub#errors"

    static func iq(_ type: String, to: String? = nil, _ payload: XMLElement) -> XMLElement {
        var attributes = ["type": type]
        if let to { attributes["to"] = to }
        return XMLElement("iq", namespace: NS.client, attributes: attributes, children: [.element(payload)])
    }

    static func publish(node: String, id: String? = nil, payload: XMLElement, options: [String: String] = [:]) -> XMLElement {
        var item = XMLElement("item", namespace: ns, attributes: id.map { ["id": $0] } ?? [:])
        item.append(payload)
        var pubsub = XMLElement("pubsub", namespace: ns, children: [.element(
            XMLElement("publish", namespace: ns, attributes: ["node": node], children: [.element(item)]))])
        if !options.isEmpty {
            let form = DataForm(type: .submit, formType: "http://jabber.org/protocol/pubsub#publish-options",
                                fields: options.sorted(by: { $0.key < $1.key }).map { DataForm.Field($0.key, values: [$0.value]) })
            pubsub.append(XMLElement("publish-options", namespace: ns, children: [.element(form.element)]))
        }
        return iq("set", pubsub)
    }

    static func items(node: String, to: String? = nil, ids: [String] = [], max: Int? = nil) -> XMLElement {
        var items = XMLElement("items", namespace: ns, attributes: ["node": node])
        if let max { items[attribute: "max_items"] = "\(max)" }
        for id in ids { items.append(XMLElement("item", namespace: ns, attributes: ["id": id])) }
        return iq("get", to: to, XMLElement("pubsub", namespace: ns, children: [.element(items)]))
    }

    static func retract(node: String, id: String, notify: Bool = true) -> XMLElement {
        iq("set", XMLElement("pubsub", namespace: ns, children: [.element(
            XMLElement("retract", namespace: ns, attributes: ["node": node, "notify": notify ? "true" : "false"], children: [
                .element(XMLElement("item", namespace: ns, attributes: ["id": id])),
            ]))]))
    }

    static func ownerRequest(_ type: String, _ verb: String, node: String, form: DataForm? = nil) -> XMLElement {
        var element = XMLElement(verb, namespace: owner, attributes: ["node": node])
        if let form { element.append(form.element) }
        return iq(type, XMLElement("pubsub", namespace: owner, children: [.element(element)]))
    }

    /// Item ids of a result's `<items/>` (iq) or an event's (message).
    static func itemIDs(_ stanza: XMLElement) -> [String] {
        let container = stanza.child("pubsub", namespace: ns)?.child("items", namespace: ns)
            ?? stanza.child("event", namespace: event)?.child("items", namespace: event)
        return container?.elements.filter { $0.name == "item" }.compactMap { $0[attribute: "id"] } ?? []
    }

    static func isEvent(_ stanza: XMLElement, node: String) -> Bool {
        stanza.name == "message" && stanza.child("event", namespace: event)?.elements.first?[attribute: "node"] == node
    }

    static func applicationCondition(_ stanza: XMLElement) -> String? {
        stanza.child("error", namespace: NS.client)?.elements.first { $0.namespace == errors }?.name
    }
}
