import NIOCore
import PostgresNIO
import Synchronization

/// Runs work on a pooled connection within a time limit. PostgresNIO's pool keeps a request
/// waiting for a connection for as long as its connection attempts fail (about a minute before
/// its circuit breaker opens), and a query on a connection to a server that stopped answering
/// waits for TCP to give up: past the limit the wait is cancelled, or the connection closed
/// (the server rolls back what it began), and the work fails as unavailable.
enum PostgresDeadline {
    static func run<T: Sendable>(within limit: Duration, _ client: PostgresClient,
                                 _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let lease = Lease()
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
                group.addTask {
                    .finished(try await client.withConnection { connection in
                        try lease.hold(connection)
                        defer { lease.release() }
                        do {
                            return try await body(connection)
                        } catch {
                            // Closed by the deadline: returned to the pool only once the pool
                            // has seen it close, so no one else is handed it.
                            if lease.isExpired { try? await connection.closeFuture.get() }
                            throw error
                        }
                    })
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return .expired
                }
                defer { group.cancelAll() }
                if case .finished(let value)? = try await group.next() { return value }
                // Out of time: stop the wait for a connection, or close the one in use. Work that
                // finished meanwhile (a COMMIT just answered) still counts.
                lease.expire()
                group.cancelAll()
                if case .finished(let value)? = try? await group.next() { return value }
                throw StoreError(.unavailable, "PostgreSQL did not answer within \(limit)")
            }
        }
    }

    private enum Outcome<T: Sendable>: Sendable {
        case finished(T)
        case expired
    }

    /// The connection the work holds, so the deadline can close it.
    private final class Lease: Sendable {
        private let state = Mutex<(connection: PostgresConnection?, expired: Bool)>((nil, false))

        /// Records `connection`; throws when the deadline passed while it was awaited.
        func hold(_ connection: PostgresConnection) throws {
            try state.withLock { state in
                if state.expired { throw CancellationError() }
                state.connection = connection
            }
        }

        var isExpired: Bool { state.withLock { $0.expired } }

        func release() {
            state.withLock { $0.connection = nil }
        }

        func expire() {
            let connection = state.withLock { state in
                state.expired = true
                return state.connection
            }
            let _: EventLoopFuture<Void>? = connection?.close()
        }
    }
}
