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
        let completion: Completion
    }

    private let pending = Mutex<[String: Waiting]>([:])
    private let counter = Atomic<UInt64>(0)

    /// Sends `iq` (its `to` set) with a fresh id through `route`; `completion` gets the answer,
    /// or nil when none came in time, the answer was an error, or too many wait.
    func send(_ iq: XMLElement, route: (XMLElement) -> Void, completion: @escaping Completion) {
        var request = iq
        let id = "salon-\(counter.add(1, ordering: .relaxed).newValue)"
        request[attribute: "id"] = id
        let peer = request[attribute: "to"] ?? ""
        let accepted = pending.withLock { pending in
            guard pending.count < Self.maxPending else { return false }
            pending[id] = Waiting(peer: peer, completion: completion)
            return true
        }
        guard accepted else { return completion(nil) }
        route(request)
        Task { [weak self] in
            try? await Task.sleep(for: Self.timeout)
            self?.finish(id: id, from: peer, with: nil)
        }
    }

    /// Hands a result or error to the request it answers; false when none was waiting for it.
    @discardableResult
    func complete(_ reply: Stanza, from: JID) -> Bool {
        guard let id = reply.id else { return false }
        return finish(id: id, from: from.description, with: reply.type == "result" ? reply.element : nil)
    }

    @discardableResult
    private func finish(id: String, from: String, with reply: XMLElement?) -> Bool {
        let waiting = pending.withLock { pending -> Waiting? in
            guard let waiting = pending[id], waiting.peer == from else { return nil }
            pending[id] = nil
            return waiting
        }
        waiting?.completion(reply)
        return waiting != nil
    }
}
