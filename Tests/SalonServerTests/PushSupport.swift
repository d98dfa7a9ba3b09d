import SalonClient
@testable import SalonServer
import XMPPCore

/// A XEP-0357 push service played by a test component, and the requests a device sends.
enum Push {
    static let ns = "urn:xmpp:push:0"
    static let service = "push.salon.test"
    static let secret = "push-secret"

    static func enable(node: String, jid: String = service, options: [String: String] = [:]) -> XMLElement {
        var enable = XMLElement("enable", namespace: ns, attributes: ["jid": jid, "node": node])
        if !options.isEmpty {
            let form = DataForm(type: .submit, formType: "http://jabber.org/protocol/pubsub#publish-options",
                                fields: options.sorted(by: { $0.key < $1.key }).map { DataForm.Field($0.key, values: [$0.value]) })
            enable.append(form.element)
        }
        return PubSubWire.iq("set", enable)
    }

    static func disable(node: String? = nil, jid: String = service) -> XMLElement {
        var attributes = ["jid": jid]
        if let node { attributes["node"] = node }
        return PubSubWire.iq("set", XMLElement("disable", namespace: ns, attributes: attributes))
    }

    /// The next publish the push service receives.
    static func nextPublish(_ component: ComponentPeer) async throws -> XMLElement {
        try await component.client.expect { $0.name == "iq" && $0.child("pubsub", namespace: PubSubWire.ns) != nil }
    }

    /// The publish's node and its summary form.
    static func summary(_ publish: XMLElement) -> (node: String?, form: DataForm?) {
        let element = publish.child("pubsub", namespace: PubSubWire.ns)?.child("publish", namespace: PubSubWire.ns)
        let notification = element?.child("item", namespace: PubSubWire.ns)?.child("notification", namespace: ns)
        return (element?[attribute: "node"], notification?.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
    }

    static func publishOptions(_ publish: XMLElement) -> DataForm? {
        publish.child("pubsub", namespace: PubSubWire.ns)?.child("publish-options", namespace: PubSubWire.ns)?
            .child("x", namespace: DataForm.namespace).flatMap(DataForm.init)
    }

    /// Answers a publish as the push service.
    static func answer(_ publish: XMLElement, on component: ComponentPeer, error: String? = nil) {
        let id = publish[attribute: "id"]!, from = publish[attribute: "from"]!, to = publish[attribute: "to"]!
        if let error {
            component.send("<iq type='error' id='\(id)' from='\(to)' to='\(from)'><error type='cancel'><\(error) xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        } else {
            component.send("<iq type='result' id='\(id)' from='\(to)' to='\(from)'/>")
        }
    }

    /// Everything `sender` sent before has been routed, and whatever that published has reached
    /// the push service, when the service receives this message (one path, in order).
    static func barrier(from sender: XMPPClient, to component: ComponentPeer) async throws {
        try await sender.ping()
        sender.send(message(to: "barrier@\(service)", body: "barrier"))
        _ = try await component.client.expect { $0.name == "message" && $0[attribute: "to"] == "barrier@\(service)" }
    }
}
