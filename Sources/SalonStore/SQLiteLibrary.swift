import CSQLite

/// Facts about the SQLite library linked at run time (GRDB uses the system libsqlite3 too).
public enum SQLiteLibrary {
    /// The oldest SQLite with what the schema and queries need (UPSERT arrived in 3.24.0).
    static let minimumVersionNumber: Int32 = 3_024_000

    /// The linked SQLite version, e.g. "3.40.1".
    public static var version: String { String(cString: sqlite3_libversion()) }

    /// Statement and savepoint journals up to this size stay in memory (SQLite's default: 64 KiB).
    public static let statementJournalSpillBytes: Int32 = 4 << 20

    /// Keeps statement and savepoint journals in memory up to `statementJournalSpillBytes`
    /// before they spill to a temporary file. A group commit's savepoints (full-text indexing,
    /// accounts' messages) journal the pages they change, often a little over 64 KiB, so with
    /// the default such commits created, wrote and unlinked a file in the temporary directory.
    /// Larger journals (a big deletion) still spill, so memory stays bounded. Process-wide, and SQLite takes it only
    /// before its first use: call it before any database is opened, on one thread; returns
    /// whether SQLite took it.
    @discardableResult
    public static func keepStatementJournalsInMemory() -> Bool {
        salon_sqlite3_config_statement_journal_spill(statementJournalSpillBytes) == SQLITE_OK
    }

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
