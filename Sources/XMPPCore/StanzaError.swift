/// A stanza-level error: what a handler throws and what an error reply carries.
public struct StanzaError: Error, Sendable, Hashable {
    /// The defined condition.
    public var condition: StanzaErrorCondition
    /// The error type; defaults to the condition's usual type.
    public var type: StanzaErrorType
    /// Optional human-readable text.
    public var text: String?
    /// New address for `gone` and `redirect` (an XMPP URI), written inside the condition element.
    public var alternateAddress: String?
    /// The entity that generated the error (the `by` attribute), if worth telling.
    public var by: String?
    /// An application-specific condition (RFC 6120 §8.4), e.g. XEP-0050's `<bad-sessionid/>`.
    public var applicationCondition: XMLElement?

    /// Creates a stanza error; `type` defaults to `condition.defaultType`.
    public init(_ condition: StanzaErrorCondition, type: StanzaErrorType? = nil, text: String? = nil) {
        self.condition = condition
        self.type = type ?? condition.defaultType
        self.text = text
    }

    /// The `<error/>` child in `NS.client`.
    public var element: XMLElement {
        element(namespace: NS.client)
    }

    /// The `<error/>` child in the given content namespace (e.g. `NS.component`).
    public func element(namespace: String) -> XMLElement {
        var error = XMLElement("error", namespace: namespace)
        error[attribute: "type"] = type.rawValue
        if let by {
            error[attribute: "by"] = by
        }
        var conditionElement = XMLElement(condition.rawValue, namespace: NS.stanzaErrors)
        if let alternateAddress, condition == .gone || condition == .redirect {
            conditionElement.append(text: alternateAddress)
        }
        error.append(conditionElement)
        if let text, !text.isEmpty {
            error.append(XMLElement("text", namespace: NS.stanzaErrors, children: [.text(text)]))
        }
        if let applicationCondition { error.append(applicationCondition) }
        return error
    }

    /// Reads an `<error/>` element back; nil if it has no known condition.
    public init?(element: XMLElement) {
        guard element.name == "error",
              let conditionElement = element.elements.first(where: {
                  $0.namespace == NS.stanzaErrors && $0.name != "text"
              }),
              let condition = StanzaErrorCondition(rawValue: conditionElement.name)
        else { return nil }
        let type = element[attribute: "type"].flatMap(StanzaErrorType.init(rawValue:))
        let text = element.child("text", namespace: NS.stanzaErrors)?.text
        self.init(condition, type: type, text: text)
        let address = conditionElement.text
        alternateAddress = address.isEmpty ? nil : address
        by = element[attribute: "by"]
        applicationCondition = element.elements.first { $0.namespace != NS.stanzaErrors }
    }
}
