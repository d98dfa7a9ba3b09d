import SalonStore
import XMPPCore

extension StanzaError {
    /// A storage failure as a client sees it: an unreachable or overloaded database is the
    /// service's momentary absence, worth retrying (RFC 6120 §8.3.3.19, type wait); anything
    /// else is the server's own fault, described by `text`.
    static func storage(_ error: any Error, text: String) -> StanzaError {
        switch (error as? StoreError)?.kind {
        case .unavailable?:
            StanzaError(.serviceUnavailable, type: .wait, text: "The database cannot be reached; nothing was stored. Try again shortly.")
        case .busy?:
            StanzaError(.resourceConstraint, type: .wait, text: "The database is busy; nothing was stored. Try again shortly.")
        default:
            StanzaError(.internalServerError, type: .wait, text: text)
        }
    }
}
