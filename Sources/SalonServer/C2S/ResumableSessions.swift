import Synchronization
import XMPPCore

/// The XEP-0198 sessions a client may resume, by SM-ID: registered when the client enables
/// resumption, removed when the session is resumed (claimed), times out or ends. A short lock
/// guards it; the sessions themselves live on their streams' loops.
final class ResumableSessions: Sendable {
    struct Entry {
        let account: JID
        let connection: C2SConnection
    }

    enum Claim {
        case found(C2SConnection)
        /// Known, but the session is gone: `h` is what the server had handled from the client.
        case expired(h: UInt32)
        case unknown
    }

    private struct State {
        var live: [String: Entry] = [:]
        var expired = RecentEntries<String, (account: JID, h: UInt32)>(capacity: ResumableSessions.rememberedExpired)
    }

    /// Ended sessions whose ids are remembered, to answer a late resumption with their `h`.
    static let rememberedExpired = 10_000
    private let state = Mutex(State())

    func register(_ id: String, account: JID, connection: C2SConnection) {
        state.withLock { $0.live[id] = Entry(account: account, connection: connection) }
    }

    /// Takes the session `id` for `account`'s new stream. Another account's id is unknown.
    func claim(_ id: String, account: JID) -> Claim {
        state.withLock { state in
            if let entry = state.live[id] {
                guard entry.account == account else { return .unknown }
                state.live[id] = nil
                return .found(entry.connection)
            }
            if let expired = state.expired[id], expired.account == account { return .expired(h: expired.h) }
            return .unknown
        }
    }

    /// Removes `connection`'s registration; false when it is no longer registered (a
    /// resumption claimed it, and will take the session over).
    func remove(_ id: String, connection: C2SConnection) -> Bool {
        state.withLock { state in
            guard let entry = state.live[id], entry.connection === connection else { return false }
            state.live[id] = nil
            return true
        }
    }

    /// Remembers an ended session's id and `h` (bounded, oldest forgotten first).
    func ended(_ id: String, account: JID, h: UInt32) {
        state.withLock { $0.expired.insert((account, h), for: id) }
    }

    /// Every registered session's connection (shutdown ends the detached ones).
    var connections: [C2SConnection] { state.withLock { $0.live.values.map(\.connection) } }
}
