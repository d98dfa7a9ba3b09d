import SalonStore
import Synchronization

/// The push registrations of the accounts asked about lately, so that what waits for detached
/// sessions (a busy room's traffic among it) costs no database read for the many accounts that
/// have none. An owner's entry is dropped whenever its registrations change; a read that began
/// before any change is not kept, so a stale list is never cached. Emptied when full.
final class PushRegistrationCache: Sendable {
    static let maxOwners = 10_000

    private struct State {
        var entries: [String: [PushRegistration]] = [:]
        var generation = 0
    }

    private let state = Mutex(State())

    /// The cached registrations of `owner`, nil when not cached.
    func cached(owner: String) -> [PushRegistration]? {
        state.withLock { $0.entries[owner] }
    }

    func registrations(owner: String, load: () async throws -> [PushRegistration]) async throws -> [PushRegistration] {
        let (cached, generation) = state.withLock { ($0.entries[owner], $0.generation) }
        if let cached { return cached }
        let loaded = try await load()
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.maxOwners { state.entries.removeAll() }
            state.entries[owner] = loaded
        }
        return loaded
    }

    /// `owner`'s registrations changed (or may have).
    func forget(owner: String) {
        state.withLock { state in
            state.entries[owner] = nil
            state.generation &+= 1
        }
    }
}
