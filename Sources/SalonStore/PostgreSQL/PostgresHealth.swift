import Logging
import Synchronization

/// What a node knows of its database, shared by every `PostgresAccess` of one pool: how many
/// operations are under way (to refuse more once the pool and its waiting room are full), and
/// whether the database answers. It logs a line when the database stops answering (with the
/// cause) and one when it answers again, and the same for the pool filling up — never a line
/// per failed operation, so an outage leaves the operator two lines, not thousands.
final class PostgresHealth: Sendable {
    private let place: String
    private let logger: Logger
    /// Operations admitted at once: every pooled connection busy, and as many more waiting.
    private let capacity: Int
    private let state = Mutex(State())

    private struct State {
        var underWay = 0
        var reachable = true
        var failuresSinceUnreachable = 0
        var lastConnectionFailure: String?
        var refusing = false
        var refused = 0
    }

    init(configuration: PostgresConfiguration, logger: Logger) {
        place = configuration.description
        self.logger = logger
        capacity = max(1, configuration.maximumConnections) + max(0, configuration.maximumWaiting)
    }

    /// Admits one operation, or refuses it at once as unavailable when the pool is exhausted;
    /// an admitted operation calls `finished` when it ends.
    func admit() throws {
        let (admitted, logRefusing, logRoom) = state.withLock { state -> (Bool, Bool, Int?) in
            guard state.underWay < capacity else {
                state.refused += 1
                defer { state.refusing = true }
                return (false, !state.refusing, nil)
            }
            state.underWay += 1
            guard state.refusing else { return (true, false, nil) }
            state.refusing = false
            defer { state.refused = 0 }
            return (true, false, state.refused)
        }
        if logRefusing {
            logger.error("PostgreSQL \(place): every pooled connection is busy and \(capacity) operations are under way; refusing more as unavailable")
        }
        if let logRoom {
            logger.notice("PostgreSQL \(place): the pool has room again after \(logRoom) operations were refused")
        }
        if !admitted {
            throw StoreError(.unavailable, "PostgreSQL is busy: \(capacity) operations are already under way")
        }
    }

    func finished() {
        state.withLock { $0.underWay -= 1 }
    }

    /// Operations admitted and not yet finished.
    var underWay: Int { state.withLock { $0.underWay } }

    /// The database answered (a server error is an answer too).
    func answered() {
        let outage = state.withLock { state -> Int? in
            state.lastConnectionFailure = nil
            guard !state.reachable else { return nil }
            state.reachable = true
            return state.failuresSinceUnreachable
        }
        if let outage {
            logger.notice("PostgreSQL \(place) is reachable again (\(outage) operations failed meanwhile)")
        }
    }

    /// An operation failed as unavailable: the database did not answer.
    func unreachable(_ failure: StoreError) {
        let lastConnectionFailure = state.withLock { state -> String?? in
            state.failuresSinceUnreachable += 1
            guard state.reachable else { return nil }
            state.reachable = false
            state.failuresSinceUnreachable = 1
            return .some(state.lastConnectionFailure)
        }
        guard let lastConnectionFailure else { return }
        let attempt = lastConnectionFailure.map { "; last connection attempt: \($0)" } ?? ""
        logger.error("PostgreSQL \(place) is unreachable: \(failure.message)\(attempt); store operations fail as unavailable until it answers")
    }

    /// The pool failed to open a connection: kept as the cause for the next unreachable line.
    func connectionFailed(_ description: String) {
        state.withLock { $0.lastConnectionFailure = description }
    }
}
