import GRDB

/// The schema of salon.sqlite as an ordered list of migrations.
/// Never edit a shipped migration: every later schema change is a new one appended here.
enum SalonSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-accounts-rosters-offline", migrate: createAccountsRostersOffline)
        migrator.registerMigration("v2-persistent-chat", migrate: createPersistentChat)
        migrator.registerMigration("v3-archive", migrate: createArchive)
        migrator.registerMigration("v4-administrator-roles", migrate: addAdministratorRoles)
        migrator.registerMigration("v5-room-content-revisions", migrate: addRoomContentRevisions)
        migrator.registerMigration("v6-archive-fts-lean", migrate: leanArchiveIndex)
        migrator.registerMigration("v7-room-creators", migrate: addRoomCreators)
        migrator.registerMigration("v8-room-subject-author", migrate: addRoomSubjectAuthor)
        migrator.registerMigration("v9-im-blocklist", migrate: createBlocklist)
        migrator.registerMigration("v9-im-vcard", migrate: createVCards)
        migrator.registerMigration("v9-pep-private-storage", migrate: createPrivateStorage)
        migrator.registerMigration("v9-pep-nodes", migrate: createPEPNodes)
        migrator.registerMigration("v10-pep-items-by-item-id", migrate: indexPEPItemsByItemID)
        migrator.registerMigration("v11-room-avatars", migrate: createRoomVCards)
        migrator.registerMigration("v11-push-pep-affiliations", migrate: createPEPAffiliations)
        migrator.registerMigration("v11-push-registrations", migrate: createPushRegistrations)
        migrator.registerMigration("v11-files", migrate: createFiles)
        migrator.registerMigration("v11-personal-archive", migrate: createPersonalArchive)
        migrator.registerMigration("v11-files-sweep-indexes", migrate: indexFileSweep)
        migrator.registerMigration("v12-web-sessions", migrate: createWebSessions)
        migrator.registerMigration("v12-compliance", migrate: createComplianceJournal)
        migrator.registerMigration("v12-compliance-file-downloads", migrate: createFileDownloads)
        migrator.registerMigration("v13-archive-write-path", migrate: deferArchiveIndex)
        migrator.registerMigration("v14-archive-counted-by-writer", migrate: countArchiveByWriter)
        return migrator
    }

    /// Times are INTEGER milliseconds since the Unix epoch.
    private static func createAccountsRostersOffline(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE users (
                jid TEXT NOT NULL PRIMARY KEY,
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE credentials (
                jid TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                mechanism TEXT NOT NULL,
                salt BLOB NOT NULL,
                iterations INTEGER NOT NULL CHECK (iterations > 0),
                stored_key BLOB NOT NULL,
                server_key BLOB NOT NULL,
                PRIMARY KEY (jid, mechanism)
            ) WITHOUT ROWID;

            CREATE TABLE roster_items (
                owner TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                jid TEXT NOT NULL,
                name TEXT,
                subscription TEXT NOT NULL DEFAULT 'none'
                    CHECK (subscription IN ('none', 'to', 'from', 'both')),
                ask INTEGER NOT NULL DEFAULT 0 CHECK (ask IN (0, 1)),
                groups TEXT NOT NULL DEFAULT '[]',
                PRIMARY KEY (owner, jid)
            ) WITHOUT ROWID;

            -- No foreign key on purpose: a roster version must never repeat for a JID, even when
            -- the account is deleted and created again, or a client's cached roster would be
            -- wrongly confirmed as current. Deleting an account bumps its row instead.
            CREATE TABLE roster_versions (
                owner TEXT NOT NULL PRIMARY KEY,
                version INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE offline_messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                owner TEXT NOT NULL REFERENCES users(jid) ON DELETE CASCADE,
                stanza TEXT NOT NULL,
                stored_at INTEGER NOT NULL
            );
            CREATE INDEX offline_messages_by_owner ON offline_messages(owner, id);

            CREATE TABLE metadata (
                key TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL
            ) WITHOUT ROWID;
            """)
    }

    /// Server administrators beside persistent-chat ones; the account made at first start
    /// (recorded in metadata) becomes a server administrator.
    private static func addAdministratorRoles(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE chat_admins ADD COLUMN role TEXT NOT NULL DEFAULT 'chat' CHECK (role IN ('chat', 'server'));
            INSERT INTO chat_admins (jid, role) SELECT value, 'server' FROM metadata WHERE key = 'bootstrap-admin'
                ON CONFLICT (jid) DO UPDATE SET role = 'server';
            """)
    }

    /// The chat revision at which each room's content last changed by administration (clear,
    /// remove, replace), so servers reload only those rooms' history.
    private static func addRoomContentRevisions(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE chat_content_revisions (
                room TEXT NOT NULL PRIMARY KEY,
                revision INTEGER NOT NULL
            ) WITHOUT ROWID;
            """)
    }

    /// Who created each room, and the MaxRoomsPerCreator setting that caps it. Rooms created
    /// before have no recorded creator and count for nobody.
    private static func addRoomCreators(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE chat_rooms ADD COLUMN created_by TEXT;
            ALTER TABLE chat_settings ADD COLUMN max_rooms_per_creator INTEGER NOT NULL DEFAULT 100
                CHECK (max_rooms_per_creator >= 0);
            """)
    }

    /// Applies pending migrations, then refuses a schema written by a newer Salon.
    /// File databases call this under the setup lock, so processes never migrate at once.
    static func migrate(_ writer: any DatabaseWriter) throws {
        let migrator = self.migrator
        let superseded: Bool
        do {
            try migrator.migrate(writer)
            superseded = try writer.read { try migrator.hasBeenSuperseded($0) }
        } catch {
            throw StoreError.wrapping(error)
        }
        if superseded {
            throw StoreError(.schemaTooNew, "the database was migrated by a newer Salon; refusing to use it")
        }
    }

    /// The nickname that set a room's subject, sent as the subject's `from` to joiners.
    private static func addRoomSubjectAuthor(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE chat_rooms ADD COLUMN subject_author TEXT")
    }
}
