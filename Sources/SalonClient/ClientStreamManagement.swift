import Synchronization
import XMPPCore

/// The client's side of XEP-0198: counts the stanzas it receives once `<enabled/>` (or
/// `<resumed/>`) arrived and, when `answersRequests`, answers each `<r/>` at once.
public final class ClientStreamManagement: Sendable {
    public static let ns = "urn:xmpp:sm:3"

    private struct State {
        var active = false
        var handled: UInt32 = 0
        var answersRequests = true
    }

    private let state = Mutex(State())

    public init() {}

    /// Stanzas received since stream management was enabled (the client's `h`).
    public var handled: UInt32 { state.withLock { $0.handled } }

    /// Tests that want to see the server's `<r/>` (or to leave stanzas unacknowledged) turn this off.
    public func setAnswersRequests(_ answers: Bool) { state.withLock { $0.answersRequests = answers } }

    /// Before resuming: the count continues from the `h` this client sends in `<resume/>`.
    public func prepareResumption(from h: UInt32) { state.withLock { $0.handled = h; $0.active = false } }

    /// Called for every element received, before it reaches the inbox; returns the `<a/>` to
    /// send, if any.
    func received(_ element: XMLElement) -> XMLElement? {
        state.withLock { state in
            if element.namespace == Self.ns {
                switch element.name {
                case "enabled": state.active = true; state.handled = 0
                case "resumed": state.active = true
                case "r" where state.active && state.answersRequests:
                    return XMLElement("a", namespace: Self.ns, attributes: ["h": "\(state.handled)"])
                default: break
                }
            } else if state.active, element.namespace == NS.client, ["message", "presence", "iq"].contains(element.name) {
                state.handled &+= 1
            }
            return nil
        }
    }
}
