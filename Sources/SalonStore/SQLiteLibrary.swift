import CSQLite

/// Facts about the SQLite library linked at run time (GRDB uses the system libsqlite3 too).
public enum SQLiteLibrary {
    /// The oldest SQLite with what the schema and queries need (UPSERT arrived in 3.24.0).
    static let minimumVersionNumber: Int32 = 3_024_000

    /// The linked SQLite version, e.g. "3.40.1".
    public static var version: String { String(cString: sqlite3_libversion()) }

    /// Statement and savepoint journals up to this size stay in memory (SQLite's default: 64 KiB).
    /// SQLite keeps an in-memory journal in one buffer of this size, so it stays below glibc's
    /// mmap threshold (128 KiB, fixed once `MemoryAllocator` sets the trim threshold): above it,
    /// every commit that journals anything mapped and unmapped the buffer, page faults and
    /// TLB shootdowns included.
    public static let statementJournalSpillBytes: Int32 = 120 << 10

    /// Keeps statement and savepoint journals in memory up to `statementJournalSpillBytes`
    /// before they spill to a temporary file. A group commit's multi-row INSERT journals the
    /// index pages it changes (SQLite opens a statement journal for it), usually a little over
    /// 64 KiB for the batches of a busy room, so with the default nearly every commit created,
    /// wrote and unlinked a file in the temporary directory. Larger journals (a batch of
    /// hundreds of posts, a big deletion) still spill, where a file costs little per row, so
    /// memory stays bounded. Process-wide, and SQLite takes it only before its first use: call
    /// it before any database is opened, on one thread; returns whether SQLite took it.
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
