import Glibc

/// PostgreSQL's text holds no NUL character, which SQLite's does: a value with one is refused
/// as an argument before it reaches the database, and a lookup of one finds nothing, so both
/// backends answer hostile input alike.
enum PostgresText {
    static func isStorable(_ text: String) -> Bool {
        // memchr on the string's own bytes: every post's stanza is checked, and a generic
        // byte-by-byte scan of it cost about as much as the rest of queuing it to be archived.
        let scanned = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.isEmpty || memchr(bytes.baseAddress!, 0, bytes.count) == nil
        }
        return scanned ?? !text.utf8.contains(0)
    }

    /// Throws invalidArgument, naming `role`, unless `text` can be stored.
    static func check(_ text: String, _ role: String) throws {
        guard isStorable(text) else {
            throw StoreError(.invalidArgument, "\(role) contains a NUL character")
        }
    }
}
