import Logging
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

extension Logger {
    /// Logs a storage failure once per cause: an unreachable database is logged by the store
    /// when it goes and when it comes back, so each refusal during the outage is debug only.
    func storageFailure(_ message: Logger.Message, _ error: any Error, metadata: Logger.Metadata = [:]) {
        var metadata = metadata
        metadata["error"] = "\(error)"
        if (error as? StoreError)?.kind == .unavailable {
            debug(message, metadata: metadata)
        } else {
            self.error(message, metadata: metadata)
        }
    }
}
