/// The `type` of an iq stanza (RFC 6120 §8.2.3).
public enum IQType: String, Sendable, CaseIterable {
    case get, set, result, error

    /// True for get and set, which must be answered with a result or an error.
    public var isRequest: Bool {
        self == .get || self == .set
    }
}

/// A view over a well-formed iq: it has an id and a known type.
public struct IQ: Sendable, Hashable {
    /// The underlying stanza (read-only, so `type` and `id` stay in step with it).
    public let stanza: Stanza
    /// The iq type.
    public let type: IQType
    /// The iq id (required on every iq).
    public let id: String

    /// Wraps `element`; nil unless it is an iq with an id and a valid type.
    public init?(_ element: XMLElement) {
        guard let stanza = Stanza(element) else { return nil }
        self.init(stanza)
    }

    /// Wraps `stanza`; nil unless it is an iq with an id and a valid type.
    public init?(_ stanza: Stanza) {
        guard stanza.kind == .iq, let id = stanza.id, let type = stanza.type.flatMap(IQType.init(rawValue:)) else {
            return nil
        }
        self.stanza = stanza
        self.type = type
        self.id = id
    }

    /// Builds a request or reply iq in `namespace` (a content namespace).
    public init(type: IQType, id: String, to: JID? = nil, from: JID? = nil, payload: XMLElement? = nil,
                namespace: String = NS.client) {
        var element = XMLElement("iq", namespace: namespace, attributes: ["type": type.rawValue, "id": id])
        if let payload {
            element.append(payload)
        }
        var stanza = Stanza(unchecked: element)
        stanza.setTo(to)
        stanza.setFrom(from)
        self.stanza = stanza
        self.type = type
        self.id = id
    }

    /// The underlying element.
    public var element: XMLElement {
        stanza.element
    }

    /// The single child element of a get or set (or of a result, if any), ignoring an error child.
    public var payload: XMLElement? {
        stanza.element.elements.first { $0.name != "error" || $0.namespace != stanza.element.namespace }
    }

    /// True when a get or set carries exactly one payload element, as RFC 6120 requires.
    public var hasValidPayload: Bool {
        let count = stanza.element.elements.count
        return type.isRequest ? count == 1 : count <= 1 || type == .error
    }

    /// A result reply: to/from swapped, same id, with an optional payload.
    public func resultReply(_ payload: XMLElement? = nil) -> XMLElement {
        var reply = XMLElement("iq", namespace: stanza.element.namespace, attributes: ["type": "result", "id": id])
        reply[attribute: "to"] = stanza.element[attribute: "from"]
        reply[attribute: "from"] = stanza.element[attribute: "to"]
        if let payload {
            reply.append(payload)
        }
        return reply
    }

    /// An error reply to this iq (see `Stanza.errorReply`).
    public func errorReply(_ error: StanzaError) -> XMLElement {
        stanza.errorReply(error)
    }
}
