extension PostgresSchema {
    /// Migration "v9-archive-counted-by-writer": a room's `total` is counted by the archive's
    /// insert statement (`PostgresArchiveInsert`, the only writer of `room_messages` rows) as it
    /// draws their sequences, instead of by a statement trigger whose transition table copied
    /// every inserted row, stanza and search vector included. Deletions keep their trigger:
    /// several statements delete.
    static let archiveCounts = Migration(name: "v9-archive-counted-by-writer", statements: [
        "DROP TRIGGER room_messages_inserted ON room_messages",
        "DROP FUNCTION salon_room_messages_inserted()",
    ])
}
