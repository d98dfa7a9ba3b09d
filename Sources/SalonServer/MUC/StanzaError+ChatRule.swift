import PersistentChat
import XMPPCore

/// The one mapping from a persistent-chat refusal to the XMPP error a client sees; the rule's
/// message is the error text.
extension StanzaError {
    init(refusal rule: ChatRuleError) {
        let condition: StanzaErrorCondition = switch rule.kind {
        case .notFound: .itemNotFound
        case .forbidden: .forbidden
        case .conflict: .conflict
        case .invalid: .notAcceptable
        case .outOfScope: .notAllowed
        // XEP-0045 §10.1.1 answers a refused creation with not-allowed.
        case .limitReached: .notAllowed
        case .switchedOff: .notAllowed
        case .unavailable: .notAllowed
        // XEP-0045 §7.2.7: a members-only room refuses others with registration-required.
        case .membersOnly: .registrationRequired
        }
        self.init(condition, text: rule.message)
    }

    /// A failed directory change: the rule it broke, else a storage failure.
    static func refusal(_ error: any Error) -> StanzaError {
        guard let rule = error as? ChatRuleError else {
            return .storage(error, text: "The change could not be saved.")
        }
        return StanzaError(refusal: rule)
    }
}

extension MUCRoom {
    /// Asks a PersistentChat rule about `stanza`: true when it allows, else the stanza is
    /// bounced with the refusal's XMPP error.
    func allows(_ stanza: Stanza, _ check: () throws -> Void) -> Bool {
        do {
            try check()
            return true
        } catch {
            bounce(stanza, StanzaError.refusal(error))
            return false
        }
    }
}
