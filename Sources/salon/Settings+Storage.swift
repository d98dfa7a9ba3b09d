/// `storage.backend`: where Salon keeps its data. Only SQLite serves every store so far; the
/// PostgreSQL backend (SalonStore's `PostgresBackend`) does not serve `storesNotOnPostgreSQL` yet, so
/// choosing it refuses to start rather than run half a server on each (issue #20).
extension Settings {
    /// The stores still on SQLite only, named in the refusal.
    static let storesNotOnPostgreSQL = [
        "personal archives", "files",
    ]

    /// Throws, naming what is missing, unless `storage.backend` is one every command can run on.
    func checkStorageBackend() throws {
        let backend = reader.string(forKey: "storage.backend", default: "sqlite")
        switch backend {
        case "sqlite":
            return
        case "postgresql":
            throw SettingsError(description: """
                storage.backend: postgresql is not supported yet: \
                \(Self.storesNotOnPostgreSQL.joined(separator: ", ")) still need SQLite. \
                Use storage.backend: sqlite (the default).
                """)
        default:
            throw SettingsError(description: "storage.backend must be sqlite or postgresql, not '\(backend)'")
        }
    }
}
