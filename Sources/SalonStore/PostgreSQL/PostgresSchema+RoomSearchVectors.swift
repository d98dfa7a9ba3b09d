extension PostgresSchema {
    /// Migration "v12-room-search-vectors": `room_messages.body_search` is no longer a generated
    /// column but one the archive's insert fills (`PostgresArchiveInsert`): with vectors built
    /// ahead on another pooled connection while the batch before committed
    /// (`PostgresArchiveSearchVectors`), so parsing a busy room's bodies runs beside its insert
    /// rather than inside it, where the room's counter row is locked; or, when there are none,
    /// built by the statement itself. The stored vectors are kept as they are.
    ///
    /// Triggers keep the column right for any other writer: a row inserted without a vector gets
    /// it computed, and so does a row whose body changes (retraction, replacement). Their WHEN
    /// conditions are tested without calling the function, so rows that carry their vector pay
    /// nothing.
    static let roomSearchVectors = Migration(name: "v12-room-search-vectors", statements: [
        "ALTER TABLE room_messages ALTER COLUMN body_search DROP EXPRESSION",
        """
        CREATE FUNCTION salon_room_messages_search() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.body_search := to_tsvector((SELECT configuration FROM room_search)::regconfig, salon_search_text(NEW.body));
            RETURN NEW;
        END
        $$
        """,
        """
        CREATE TRIGGER room_messages_search_missing BEFORE INSERT ON room_messages
            FOR EACH ROW WHEN (new.body_search IS NULL) EXECUTE FUNCTION salon_room_messages_search()
        """,
        """
        CREATE TRIGGER room_messages_search_body_changed BEFORE UPDATE OF body ON room_messages
            FOR EACH ROW WHEN (new.body IS DISTINCT FROM old.body) EXECUTE FUNCTION salon_room_messages_search()
        """,
    ])
}
