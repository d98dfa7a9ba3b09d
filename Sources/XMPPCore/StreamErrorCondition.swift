/// Stream error conditions of RFC 6120 §4.9.3; the raw value is the element name.
public enum StreamErrorCondition: String, Sendable, CaseIterable {
    case badFormat = "bad-format"
    case badNamespacePrefix = "bad-namespace-prefix"
    case conflict
    case connectionTimeout = "connection-timeout"
    case hostGone = "host-gone"
    case hostUnknown = "host-unknown"
    case improperAddressing = "improper-addressing"
    case internalServerError = "internal-server-error"
    case invalidFrom = "invalid-from"
    case invalidNamespace = "invalid-namespace"
    case invalidXML = "invalid-xml"
    case notAuthorized = "not-authorized"
    case notWellFormed = "not-well-formed"
    case policyViolation = "policy-violation"
    case remoteConnectionFailed = "remote-connection-failed"
    case reset
    case resourceConstraint = "resource-constraint"
    case restrictedXML = "restricted-xml"
    case seeOtherHost = "see-other-host"
    case systemShutdown = "system-shutdown"
    case undefinedCondition = "undefined-condition"
    case unsupportedEncoding = "unsupported-encoding"
    case unsupportedFeature = "unsupported-feature"
    case unsupportedStanzaType = "unsupported-stanza-type"
    case unsupportedVersion = "unsupported-version"
}

/// A `<stream:error>` element: the condition, then optional text, both in `NS.streamErrors`.
public func streamErrorElement(_ condition: StreamErrorCondition, text: String?) -> XMLElement {
    streamErrorElement(XMLElement(condition.rawValue, namespace: NS.streamErrors), text: text)
}

/// A `<stream:error>` for `see-other-host`, whose condition element carries the new host.
public func streamErrorElement(seeOtherHost host: String, text: String? = nil) -> XMLElement {
    let condition = XMLElement(StreamErrorCondition.seeOtherHost.rawValue, namespace: NS.streamErrors, children: [.text(host)])
    return streamErrorElement(condition, text: text)
}

private func streamErrorElement(_ condition: XMLElement, text: String?) -> XMLElement {
    var error = XMLElement("error", namespace: NS.streams)
    error.append(condition)
    if let text, !text.isEmpty {
        error.append(XMLElement("text", namespace: NS.streamErrors, children: [.text(text)]))
    }
    return error
}
