import Logging

/// Which backend keeps a deployment's data (`storage.backend`): SQLite in the data directory,
/// the embedded default, or a PostgreSQL database several nodes can share.
public enum StorageConfiguration: Sendable {
    case sqlite
    case postgresql(PostgresConfiguration)

    /// Opens the backend, migrating its schema; SQLite lives in `dataDirectory`.
    public func open(dataDirectory: String, logger: Logger) async throws -> any StoreBackend {
        switch self {
        case .sqlite:
            return try SalonDatabase(directory: dataDirectory)
        case .postgresql(let configuration):
            return try await PostgresBackend.open(configuration, logger: logger)
        }
    }

    /// Where the data is, for log lines and messages (never a password).
    public func location(dataDirectory: String) -> String {
        switch self {
        case .sqlite: "SQLite in \(dataDirectory)"
        case .postgresql(let configuration): "PostgreSQL \(configuration)"
        }
    }
}
