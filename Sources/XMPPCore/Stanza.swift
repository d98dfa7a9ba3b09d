/// The three kinds of XMPP stanza.
public enum StanzaKind: String, Sendable, CaseIterable {
    case message, presence, iq
}

/// A typed view over a message, presence or iq element in a content namespace.
public struct Stanza: Sendable, Hashable {
    /// The underlying element; edits through the view land here.
    public var element: XMLElement

    /// True for the content namespaces a stanza may live in (client, server, component).
    public static func isContentNamespace(_ namespace: String) -> Bool {
        namespace == NS.client || namespace == NS.component || namespace == NS.server
    }

    /// Wraps `element`; nil unless it is message, presence or iq in a content namespace.
    public init?(_ element: XMLElement) {
        guard StanzaKind(rawValue: element.name) != nil, Self.isContentNamespace(element.namespace) else {
            return nil
        }
        self.element = element
    }

    /// Wraps an element the caller built as a stanza itself.
    init(unchecked element: XMLElement) {
        self.element = element
    }

    /// Which kind of stanza this is.
    public var kind: StanzaKind {
        StanzaKind(rawValue: element.name) ?? .message
    }

    /// The `id` attribute.
    public var id: String? {
        get { element[attribute: "id"] }
        set { element[attribute: "id"] = newValue }
    }

    /// The `type` attribute, as sent.
    public var type: String? {
        get { element[attribute: "type"] }
        set { element[attribute: "type"] = newValue }
    }

    /// The addressee; nil when absent, throws when malformed.
    public var to: JID? {
        get throws(JIDError) { try element[attribute: "to"].map { (string) throws(JIDError) in try JID(string) } }
    }

    /// The sender; nil when absent, throws when malformed.
    public var from: JID? {
        get throws(JIDError) { try element[attribute: "from"].map { (string) throws(JIDError) in try JID(string) } }
    }

    /// Sets or, with nil, removes the `to` attribute.
    public mutating func setTo(_ jid: JID?) {
        element[attribute: "to"] = jid?.description
    }

    /// Sets or, with nil, removes the `from` attribute.
    public mutating func setFrom(_ jid: JID?) {
        element[attribute: "from"] = jid?.description
    }

    /// True for `type="error"`; such stanzas must never be answered with another error.
    public var isError: Bool {
        type == "error"
    }

    /// The `<error/>` child of an error stanza, read back.
    public var error: StanzaError? {
        guard isError, let child = element.child("error", namespace: element.namespace) else { return nil }
        return StanzaError(element: child)
    }

    /// The result answering this iq (RFC 6120 §8.2.3): same id, to/from swapped, in jabber:client,
    /// carrying `payload` if any.
    public func resultReply(_ payload: XMLElement?) -> XMLElement {
        var attributes = ["type": "result"]
        if let id { attributes["id"] = id }
        if let from = element[attribute: "from"] { attributes["to"] = from }
        if let to = element[attribute: "to"] { attributes["from"] = to }
        return XMLElement("iq", namespace: NS.client, attributes: attributes, children: payload.map { [.element($0)] } ?? [])
    }

    /// An error reply (RFC 6120 §8.3.1): to/from swapped, type="error", same id,
    /// original children kept and the error child appended.
    public func errorReply(_ error: StanzaError) -> XMLElement {
        errorReply(error, keepingPayload: true)
    }

    /// An error reply that may drop the original children (useful for large payloads).
    public func errorReply(_ error: StanzaError, keepingPayload: Bool) -> XMLElement {
        var reply = XMLElement(element.name, namespace: element.namespace)
        reply.attributes = element.attributes.filter { attribute in
            !(attribute.namespace == "" && ["to", "from", "type"].contains(attribute.name))
        }
        reply[attribute: "from"] = element[attribute: "to"]
        reply[attribute: "to"] = element[attribute: "from"]
        reply[attribute: "type"] = "error"
        if keepingPayload {
            reply.children = element.children.filter { node in
                if case .element(let child) = node { return child.name != "error" || child.namespace != element.namespace }
                return false
            }
        }
        reply.append(error.element(namespace: element.namespace))
        return reply
    }
}
