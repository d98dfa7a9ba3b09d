/// The `type` attribute of a stanza error (RFC 6120 §8.3.2).
public enum StanzaErrorType: String, Sendable, CaseIterable {
    case auth, cancel, `continue`, modify, wait
}

/// Stanza error conditions of RFC 6120 §8.3.3; the raw value is the element name.
public enum StanzaErrorCondition: String, Sendable, CaseIterable {
    case badRequest = "bad-request"
    case conflict
    case featureNotImplemented = "feature-not-implemented"
    case forbidden
    case gone
    case internalServerError = "internal-server-error"
    case itemNotFound = "item-not-found"
    case jidMalformed = "jid-malformed"
    case notAcceptable = "not-acceptable"
    case notAllowed = "not-allowed"
    case notAuthorized = "not-authorized"
    case policyViolation = "policy-violation"
    case recipientUnavailable = "recipient-unavailable"
    case redirect
    case registrationRequired = "registration-required"
    case remoteServerNotFound = "remote-server-not-found"
    case remoteServerTimeout = "remote-server-timeout"
    case resourceConstraint = "resource-constraint"
    case serviceUnavailable = "service-unavailable"
    case subscriptionRequired = "subscription-required"
    case undefinedCondition = "undefined-condition"
    case unexpectedRequest = "unexpected-request"

    /// The error type RFC 6120 §8.3.3 uses with this condition.
    public var defaultType: StanzaErrorType {
        switch self {
        case .badRequest, .jidMalformed, .notAcceptable, .policyViolation, .redirect: .modify
        case .forbidden, .notAuthorized, .registrationRequired, .subscriptionRequired: .auth
        case .recipientUnavailable, .remoteServerTimeout, .resourceConstraint, .unexpectedRequest: .wait
        case .conflict, .featureNotImplemented, .gone, .internalServerError, .itemNotFound, .notAllowed,
             .remoteServerNotFound, .serviceUnavailable, .undefinedCondition: .cancel
        }
    }
}
