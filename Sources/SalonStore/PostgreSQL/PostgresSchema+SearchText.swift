extension PostgresSchema {
    /// Migration "v8-search-text": `salon_search_text` turns ASCII punctuation into spaces with
    /// one regular expression instead of `translate`, which looked each character up in its
    /// list of 32 and made the function most of an archived message's insert. The result is the
    /// same text, so the stored `body_search` columns stay valid without a rewrite.
    static let searchText = Migration(name: "v8-search-text", statements: [
        """
        DO $$
        DECLARE
            place name;
        BEGIN
            SELECT n.nspname INTO place FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                WHERE e.extname = 'unaccent';
            EXECUTE format(
                'CREATE OR REPLACE FUNCTION salon_search_text(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS %L',
                format('SELECT regexp_replace(%I.unaccent(%L::regdictionary, $1), %L, '' '', ''g'')',
                       place, quote_ident(place) || '.unaccent', '[!-/:-@\\[-`{-~]'));
        END
        $$
        """,
    ])
}
