/// `storage.backend`: where Salon keeps its data. The PostgreSQL backend (SalonStore's
/// `PostgresBackend`) serves every store (`storesNotOnPostgreSQL` is empty), but the server and
/// the CLI still open SQLite, so choosing it refuses to start rather than run half a server on
/// each (issue #20).
extension Settings {
    /// The stores still on SQLite only, named in the refusal.
    static let storesNotOnPostgreSQL: [String] = []

    /// Throws, naming what is missing, unless `storage.backend` is one every command can run on.
    func checkStorageBackend() throws {
        let backend = reader.string(forKey: "storage.backend", default: "sqlite")
        switch backend {
        case "sqlite":
            return
        case "postgresql":
            throw SettingsError(description: """
                storage.backend: postgresql is not supported yet: \
                \(Self.storesNotOnPostgreSQL.isEmpty ? "the server and the CLI" : Self.storesNotOnPostgreSQL.joined(separator: ", ")) \
                still need SQLite. Use storage.backend: sqlite (the default).
                """)
        default:
            throw SettingsError(description: "storage.backend must be sqlite or postgresql, not '\(backend)'")
        }
    }
}
