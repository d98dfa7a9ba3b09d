import SalonStore

/// `storage.*`: where Salon keeps its data — SQLite in the data directory (the default) or a
/// PostgreSQL database (`storage.postgresql.*`).
extension Settings {
    /// The configured backend, or a message naming the key that is wrong.
    func storage() throws -> StorageConfiguration {
        let backend = reader.string(forKey: "storage.backend", default: "sqlite")
        switch backend {
        case "sqlite":
            return .sqlite
        case "postgresql":
            return .postgresql(try postgresql())
        default:
            throw SettingsError(description: "storage.backend must be sqlite or postgresql, not '\(backend)'")
        }
    }

    /// `storage.postgresql.*`: the URL (its password may instead be in `password_file`), the
    /// pool's size, the archive's text search configuration, how long opening waits for the
    /// database and how long one query may take, waiting for a connection included (seconds).
    private func postgresql() throws -> PostgresConfiguration {
        let url = reader.string(forKey: "storage.postgresql.url", default: "")
        guard !url.isEmpty else {
            throw SettingsError(description: "storage.backend: postgresql needs storage.postgresql.url (postgresql://user@host/database)")
        }
        let passwordFile = reader.string(forKey: "storage.postgresql.password_file", default: "")
        var configuration: PostgresConfiguration
        do {
            configuration = try PostgresConfiguration(url: url, passwordFile: passwordFile.isEmpty ? nil : passwordFile)
        } catch let error as StoreError {
            throw SettingsError(description: error.message)
        }
        configuration.maximumConnections = try positive("storage.postgresql.max_connections",
                                                        default: configuration.maximumConnections, minimum: 1)
        configuration.textSearch = try reader.requiredString(forKey: "storage.postgresql.text_search", default: configuration.textSearch)
        let startup = try positive("storage.postgresql.startup_timeout",
                                   default: Int(configuration.startupTimeout.components.seconds), minimum: 1)
        configuration.startupTimeout = .seconds(startup)
        let operation = try positive("storage.postgresql.operation_timeout",
                                     default: Int(configuration.operationTimeout.components.seconds), minimum: 1)
        configuration.operationTimeout = .seconds(operation)
        return configuration
    }
}
