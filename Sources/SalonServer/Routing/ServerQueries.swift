import Synchronization
import XMPPCore

/// iq requests the server itself sends (such as disco#info for entity capabilities), matched
/// with their answers by id and by who answers. Unanswered ones expire.
final class ServerQueries: Sendable {
    typealias Completion = @Sendable (XMLElement?) -> Void

    /// Requests waiting at once; beyond it a new one fails at once.
    static let maxPending = 10_000
    static let timeout: Duration = .seconds(30)

    private struct Waiting {
        let peer: String
        let completion: @Sendable (Answer) -> Void
    }

    private let pending = Mutex<[String: Waiting]>([:])
    private let counter = Atomic<UInt64>(0)

    /// How a request ended: its result, an error reply (its peer said no), or nothing (no answer
    /// in time, or too many waiting).
    enum Answer: Sendable {
        case result(XMLElement)
        case error(XMLElement)
        case none
    }

    /// Sends `iq` (its `to` set) with a fresh id through `route`; `completion` gets the answer,
    /// or nil when none came in time, the answer was an error, or too many wait.
    func send(_ iq: XMLElement, route: (XMLElement) -> Void, completion: @escaping Completion) {
        send(iq, route: route) { (answer: Answer) in
            if case .result(let reply) = answer { completion(reply) } else { completion(nil) }
        }
    }

    /// `send`, telling an error reply apart from no answer.
    func send(_ iq: XMLElement, route: (XMLElement) -> Void, answer completion: @escaping @Sendable (Answer) -> Void) {
        var request = iq
        let id = "salon-\(counter.add(1, ordering: .relaxed).newValue)"
        request[attribute: "id"] = id
        let peer = request[attribute: "to"] ?? ""
        let accepted = pending.withLock { pending in
            guard pending.count < Self.maxPending else { return false }
            pending[id] = Waiting(peer: peer, completion: completion)
            return true
        }
        guard accepted else { return completion(.none) }
        route(request)
        Task { [weak self] in
            try? await Task.sleep(for: Self.timeout)
            self?.finish(id: id, from: peer, with: .none)
        }
    }

    /// Hands a result or error to the request it answers; false when none was waiting for it.
    @discardableResult
    func complete(_ reply: Stanza, from: JID) -> Bool {
        guard let id = reply.id else { return false }
        return finish(id: id, from: from.description, with: reply.type == "result" ? .result(reply.element) : .error(reply.element))
    }

    @discardableResult
    private func finish(id: String, from: String, with reply: Answer) -> Bool {
        let waiting = pending.withLock { pending -> Waiting? in
            guard let waiting = pending[id], waiting.peer == from else { return nil }
            pending[id] = nil
            return waiting
        }
        waiting?.completion(reply)
        return waiting != nil
    }
}
