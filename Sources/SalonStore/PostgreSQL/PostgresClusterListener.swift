import Logging
import PostgresNIO

/// The cluster's announcements on PostgreSQL. NOTIFY channels are the database's, not a
/// schema's: each payload ends with the announcing node's schema, and a listener passes on
/// only its own schema's, so deployments in several schemas of one database (tests, staging)
/// never hear each other.
///
/// LISTEN runs on a connection of its own, outside the pool: it is held for as long as the node
/// runs, and a pooled one would be taken from the stores' work for that long.
struct PostgresClusterListener {
    /// The channel of membership announcements.
    static let channel = "salon_cluster"

    let configuration: PostgresConfiguration
    let logger: Logger

    /// Announces `event` when `transaction` commits.
    static func announce(_ event: ClusterEvent, in transaction: PostgresAccess.Transaction) async throws {
        try await transaction.query("SELECT pg_notify(\(channel), \(event.payload) || ' ' || coalesce(current_schema(), ''))")
    }

    /// Hands every announcement of this schema to `onEvent` until the task is cancelled
    /// (returns) or the connection fails (throws a StoreError, unavailable when the database
    /// went away). `ready` runs once LISTEN has been answered.
    func listen(ready: @Sendable () -> Void, _ onEvent: @Sendable (ClusterEvent) async -> Void) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration.connection(), id: 0, logger: logger)
        } catch {
            throw PostgresAccess.storeError(error)
        }
        do {
            let schema = try await connection.query("SELECT coalesce(current_schema(), '')", logger: logger)
                .collect().first?.decode(String.self) ?? ""
            try await connection.listen(on: Self.channel) { notifications in
                ready()
                for try await notification in notifications {
                    // A payload of another schema, or of a newer Salon, is not for this node.
                    let parts = notification.payload.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
                    guard parts.count == 3, parts[2] == schema, let event = ClusterEvent(payload: "\(parts[0]) \(parts[1])") else { continue }
                    await onEvent(event)
                }
                // The notifications end without an error when the connection closes under them.
                if !Task.isCancelled {
                    throw StoreError(.unavailable, "the cluster's LISTEN connection to PostgreSQL closed")
                }
            }
        } catch {
            try? await connection.close()
            throw PostgresAccess.storeError(error)
        }
        try? await connection.close()
    }
}
