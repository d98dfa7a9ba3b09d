import Foundation
import GRDB
import PostgresNIO
import SalonSecurity
@testable import SalonStore
import SalonTestSupport
import Testing

/// What spans the per-account stores: everything an account owns goes with it, and a new
/// password ends its room-page sessions in the credentials' own transaction; once per backend.
@Suite struct PersonalStoresTests {
    static let ownedTables = [
        ("offline_messages", "owner"), ("blocklist_items", "owner"), ("vcards", "owner"), ("private_xml", "owner"),
        ("pep_nodes", "owner"), ("pep_items", "owner"), ("pep_subscriptions", "owner"), ("pep_affiliations", "owner"),
        ("push_registrations", "owner"), ("web_sessions", "account"),
        ("account_messages", "owner"), ("account_message_counts", "owner"), ("archive_preferences", "owner"),
        ("archive_preference_jids", "owner"),
    ]

    /// Gives `owner` a row in every per-account table.
    private func fill(_ database: any StoreBackend, _ owner: String) async throws {
        #expect(try await database.offline.enqueue(owner: owner, stanza: "<message/>", limit: 10))
        try await database.blocklists.block(owner: owner, jids: ["spam@x"], limit: 10)
        try await database.vCards.setVCard(owner: owner, VCardEntry(xml: "<vCard xmlns='vcard-temp'/>", photoHash: nil))
        try await database.privateStorage.store(owner: owner, elements: [("urn:a", "<a xmlns='urn:a'/>")],
                                                limits: PrivateStorageLimits(maxNamespaces: 5, maxBytes: 500))
        let config = PEPNodeConfig(accessModel: "presence", maxItems: 5, persistItems: true, sendLastPublishedItem: "never")
        _ = try await database.pep.publish(owner: owner, node: "urn:n", item: PEPItem(id: "1", payload: "<x xmlns='urn:x'/>", publisher: owner),
                                           newConfig: config, limits: PEPLimits(maxNodes: 5, maxItemsPerNode: 5, maxItemBytes: 500, maxAccountBytes: 5000),
                                           accepts: { _ in true })
        #expect(try await database.pep.subscribe(owner: owner, node: "urn:n", jid: "friend@x", maxSubscribers: 5))
        #expect(try await database.pep.setAffiliations(owner: owner, node: "urn:n", [(jid: "friend@x", affiliation: "member")], limit: 5))
        try await database.push.enable(owner: owner, PushRegistration(service: "push.x", node: "n"), limit: 5)
        try await database.webSessions.create(tokenHash: "token-of-\(owner)", account: owner, expires: Date().addingTimeInterval(600), maxPerAccount: 5)
        _ = try await database.personalArchive.setPreferences(owner: owner, ArchivePreferences(default: .always, always: ["friend@x"], never: []))
        let writer = database.archiveWriter(maxBatch: 8, commitObserver: nil)
        let sent = PersonalMessage(owner: owner, stanzaID: StoredMessage.newStanzaID(), with: "friend@x/phone", outgoing: true,
                                   timestamp: Date(), body: "hi", stanza: "<message/>")
        let kept = try await writer.append(personal: [sent])
        await writer.close()
        #expect(kept == [true])
    }

    private func rows(_ database: any StoreBackend, _ owner: String) async throws -> [Int] {
        var counts: [Int] = []
        for (table, column) in Self.ownedTables {
            counts.append(try await countRows(database, "SELECT count(*) FROM \(table) WHERE \(column) = '\(owner)'"))
        }
        return counts
    }

    @Test(arguments: TestBackend.all) func deletingAnAccountTakesEverythingItOwns(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            for owner in ["alice@example.com", "bob@example.com"] {
                try await database.accounts.create(jid: owner, credentials: [sampleCredential()])
                try await fill(database, owner)
            }
            let full = Array(repeating: 1, count: Self.ownedTables.count)
            #expect(try await rows(database, "alice@example.com") == full)
            try await database.accounts.delete(jid: "alice@example.com")
            #expect(try await rows(database, "alice@example.com") == Array(repeating: 0, count: Self.ownedTables.count))
            #expect(try await rows(database, "bob@example.com") == full)
        }
    }

    @Test(arguments: TestBackend.all) func aNewPasswordEndsOnlyThatAccountsSessionsInItsOwnTransaction(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            for owner in ["alice@example.com", "bob@example.com"] {
                try await database.accounts.create(jid: owner, credentials: [sampleCredential(seed: 1)])
                try await database.webSessions.create(tokenHash: "token-of-\(owner)", account: owner,
                                                      expires: Date().addingTimeInterval(600), maxPerAccount: 5)
            }
            // A credential insert that fails takes the sessions' deletion back with it.
            try await refuseNewCredentials(database)
            #expect(await storeErrorKind {
                try await database.accounts.setCredentials(jid: "alice@example.com", credentials: [sampleCredential(seed: 2)])
            } != nil)
            #expect(try await database.webSessions.count(account: "alice@example.com") == 1)
            #expect(try await database.accounts.credentials(jid: "alice@example.com") == [sampleCredential(seed: 1)])

            try await allowNewCredentials(database)
            try await database.accounts.setCredentials(jid: "alice@example.com", credentials: [sampleCredential(seed: 2)])
            #expect(try await database.webSessions.session(tokenHash: "token-of-alice@example.com") == nil)
            #expect(try await database.webSessions.session(tokenHash: "token-of-bob@example.com")?.account == "bob@example.com")
        }
    }

    /// Makes every credential insert fail, on either backend.
    private func refuseNewCredentials(_ database: any StoreBackend) async throws {
        if let sqlite = database as? SalonDatabase {
            try await sqlite.writer.write { db in
                try db.execute(sql: "CREATE TRIGGER test_refuse BEFORE INSERT ON credentials BEGIN SELECT RAISE(ABORT, 'refused'); END")
            }
        } else if let postgres = database as? PostgresBackend {
            _ = try await postgres.access.query("ALTER TABLE credentials ADD CONSTRAINT test_refuse CHECK (iterations < 0) NOT VALID")
        }
    }

    private func allowNewCredentials(_ database: any StoreBackend) async throws {
        if let sqlite = database as? SalonDatabase {
            try await sqlite.writer.write { db in try db.execute(sql: "DROP TRIGGER test_refuse") }
        } else if let postgres = database as? PostgresBackend {
            _ = try await postgres.access.query("ALTER TABLE credentials DROP CONSTRAINT test_refuse")
        }
    }
}

/// One number from `sql` (made by the test, never from input), on either backend.
func countRows(_ database: any StoreBackend, _ sql: String) async throws -> Int {
    if let sqlite = database as? SalonDatabase {
        return try await sqlite.writer.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
    let postgres = try #require(database as? PostgresBackend)
    return try await postgres.access.query(PostgresQuery(unsafeSQL: sql)).first?.decode(Int.self) ?? -1
}
