import Synchronization
import XMPPCore

/// What a client has received, in order, for tests to wait on by predicate.
public enum Received: Sendable {
    case header(XMLStreamHeader)
    case element(XMLElement)
    /// The connection ended; the text says how (stream error, close, parse failure).
    case end(String)

    public var element: XMLElement? {
        if case .element(let element) = self { return element }
        return nil
    }
}

public struct ClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A thread-safe queue of received items with waiters that match by predicate.
final class Inbox: Sendable {
    private struct Waiter {
        let matches: @Sendable (Received) -> Bool
        let continuation: CheckedContinuation<Received, any Error>
    }

    private struct State {
        var items: [Received] = []
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
        var ended: String?
    }

    private let state = Mutex(State())

    func push(_ item: Received) {
        let resumed: [(Waiter, Result<Received, any Error>)] = state.withLock { state in
            var resumed: [(Waiter, Result<Received, any Error>)] = []
            if case .end(let reason) = item { state.ended = reason }
            if let (key, waiter) = state.waiters.sorted(by: { $0.key < $1.key }).first(where: { $0.value.matches(item) }) {
                state.waiters[key] = nil
                resumed.append((waiter, .success(item)))
            } else {
                state.items.append(item)
            }
            if let reason = state.ended {
                for (key, waiter) in state.waiters {
                    state.waiters[key] = nil
                    resumed.append((waiter, .failure(ClientError("connection ended: \(reason)"))))
                }
            }
            return resumed
        }
        for (waiter, result) in resumed { waiter.continuation.resume(with: result) }
    }

    func take(timeout: Duration, where matches: @escaping @Sendable (Received) -> Bool) async throws -> Received {
        let timeout = TimeoutScale.scaled(timeout)
        return try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Received, any Error>? = state.withLock { state in
                if let index = state.items.firstIndex(where: matches) {
                    return .success(state.items.remove(at: index))
                }
                if let reason = state.ended { return .failure(ClientError("connection ended: \(reason)")) }
                let key = state.nextWaiter
                state.nextWaiter += 1
                state.waiters[key] = Waiter(matches: matches, continuation: continuation)
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expire(key, after: timeout)
                }
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    private func expire(_ key: Int, after timeout: Duration) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: key) }
        waiter?.continuation.resume(throwing: ClientError("nothing matching arrived within \(timeout)"))
    }

    /// Drops received items nobody will wait for.
    func discard(where matches: (Received) -> Bool) {
        state.withLock { $0.items.removeAll(where: matches) }
    }

    /// Everything received and not yet taken.
    var unclaimed: [Received] { state.withLock { $0.items } }
}
