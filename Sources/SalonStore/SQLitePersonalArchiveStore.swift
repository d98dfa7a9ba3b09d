import GRDB

/// `PersonalArchiveStore` on SQLite: queries share the rooms' filter and pager
/// (`ArchiveTable.accounts`); an account's rows and preferences are deleted with it.
struct SQLitePersonalArchiveStore: PersonalArchiveStore {
    let access: StoreAccess

    /// One page of `query.rooms.first`'s archive (the query names one account's bare JID);
    /// throws ArchiveError for bad filters or unknown ids.
    func query(_ query: ArchiveQuery) async throws -> ArchiveResultPage<PersonalMessage> {
        guard query.rooms.count == 1 else { throw ArchiveError(.invalid, "name exactly one account") }
        let paging = try ArchivePaging<PersonalMessage>(query)
        return try await access.archiveRead { db in try paging.run(db) }
    }

    /// The oldest and newest messages of `owner`'s archive (MAM metadata); nils when empty.
    func bounds(owner: String) async throws -> (first: PersonalMessage?, last: PersonalMessage?) {
        try await PersonalMessage.bounds(of: owner, in: access)
    }

    /// `owner`'s preferences (`ArchivePreferences.initial` until it sets some).
    func preferences(owner: String) async throws -> ArchivePreferences {
        try await access.archiveRead { db in try Self.preferences(owner, db) }
    }

    /// Replaces `owner`'s preferences and returns them as stored: a JID in both lists is kept
    /// in `never` only, repeats once. Throws limitReached past `ArchivePreferences.maxJIDs`.
    func setPreferences(owner: String, _ preferences: ArchivePreferences) async throws -> ArchivePreferences {
        let stored = try preferences.storable(owner: owner)
        try await access.writer.write { db in
            try db.execute(sql: """
                INSERT INTO archive_preferences (owner, default_mode) VALUES (?, ?)
                ON CONFLICT (owner) DO UPDATE SET default_mode = excluded.default_mode
                """, arguments: [owner, stored.default.rawValue])
            try db.execute(sql: "DELETE FROM archive_preference_jids WHERE owner = ?", arguments: [owner])
            let insert = try db.cachedStatement(sql: "INSERT INTO archive_preference_jids (owner, jid, always) VALUES (?, ?, ?)")
            for jid in stored.never { try insert.execute(arguments: [owner, jid, false]) }
            for jid in stored.always { try insert.execute(arguments: [owner, jid, true]) }
        }
        return stored
    }

    static func preferences(_ owner: String, _ db: Database) throws -> ArchivePreferences {
        let mode = try String.fetchOne(db.cachedStatement(sql: "SELECT default_mode FROM archive_preferences WHERE owner = ?"),
                                       arguments: [owner])
        guard let mode else { return .initial }
        var preferences = ArchivePreferences(default: ArchivePreferences.Default(rawValue: mode) ?? .always, always: [], never: [])
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT jid, always FROM archive_preference_jids WHERE owner = ? ORDER BY jid"),
                                    arguments: [owner])
        for row in rows {
            let jid: String = row["jid"]
            if row["always"] as Bool { preferences.always.append(jid) } else { preferences.never.append(jid) }
        }
        return preferences
    }
}

extension SalonDatabase {
    /// Accounts' message archives and archiving preferences.
    public var personalArchive: any PersonalArchiveStore { SQLitePersonalArchiveStore(access: StoreAccess(writer: writer)) }
}
