import CSQLite

/// Facts about the SQLite library linked at run time (GRDB uses the system libsqlite3 too).
public enum SQLiteLibrary {
    /// The oldest SQLite with what the schema and queries need (UPSERT arrived in 3.24.0).
    static let minimumVersionNumber: Int32 = 3_024_000

    /// The linked SQLite version, e.g. "3.40.1".
    public static var version: String { String(cString: sqlite3_libversion()) }

    /// Throws unless the linked SQLite is recent enough and built thread-safe (GRDB's pool needs it).
    static func check() throws {
        guard sqlite3_libversion_number() >= minimumVersionNumber else {
            throw StoreError(.other, "SQLite 3.24.0 or newer is required; this system has \(version)")
        }
        guard sqlite3_threadsafe() != 0 else {
            throw StoreError(.other, "the system SQLite was built without thread safety")
        }
    }
}
