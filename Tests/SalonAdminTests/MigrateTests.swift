import Foundation
import PersistentChat
@testable import SalonAdmin
import SalonStore
import SalonTestSupport
import Testing

/// `salon storage migrate` copies the whole SQLite store, not only what a service export
/// carries: every copied table gets a row here through the stores' own APIs, and after the
/// migration PostgreSQL's stores answer with the same.
@Suite("Migrate copies every table", .enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
struct MigrateTests {
    static let alice = "alice@example.com", bob = "bob@example.com"
    static let card = VCardEntry(xml: "<vCard xmlns='vcard-temp'><FN>Alice</FN><PHOTO><BINVAL>aGk=</BINVAL></PHOTO></vCard>",
                                 photoHash: "c22b5f9178342609428d6f51b2c5af4c0bde6a42")
    static let roomCard = VCardEntry(xml: "<vCard xmlns='vcard-temp'><PHOTO><BINVAL>bG9iYnk=</BINVAL></PHOTO></vCard>", photoHash: "0f1e")
    static let bookmarks = "<storage xmlns='storage:bookmarks'><conference jid='lobby@conference.example.com' autojoin='true'/></storage>"
    static let limits = PEPLimits(maxNodes: 10, maxItemsPerNode: 10, maxItemBytes: 10_000, maxAccountBytes: 100_000)
    static let nodeConfig = PEPNodeConfig(accessModel: "whitelist", maxItems: 5, persistItems: true, sendLastPublishedItem: "on_sub")
    static let preferences = ArchivePreferences(default: .roster, always: [bob], never: ["spam@example.net"])
    static let download = FileDownload(file: "f1le0000000000000000000000000001", room: "lobby", account: bob,
                                       time: Date(timeIntervalSince1970: 1_780_000_300), range: 0...8)
    static let unposted = "up1oad00000000000000000000000002"

    /// A row in every table the table copy moves, beside what `populate` makes.
    static func fillEveryTable(_ database: any StoreBackend) async throws {
        #expect(try await database.offline.enqueue(owner: bob, stanza: "<message to='bob@example.com'><body>while away</body></message>",
                                                   limit: 100))
        _ = try await database.blocklists.block(owner: alice, jids: ["spam@example.net"], limit: 100)
        try await database.vCards.setVCard(owner: alice, card)
        try await database.privateStorage.store(owner: alice, elements: [(namespace: "storage:bookmarks", element: bookmarks)],
                                                limits: PrivateStorageLimits(maxNamespaces: 10, maxBytes: 100_000))
        _ = try await database.pep.publish(owner: alice, node: "urn:xmpp:avatar:metadata",
                                           item: PEPItem(id: "c22b5f", payload: "<metadata xmlns='urn:xmpp:avatar:metadata'/>",
                                                         publisher: alice, publishedAt: Date(timeIntervalSince1970: 1_780_000_000)),
                                           newConfig: nodeConfig, limits: limits, accepts: { _ in true })
        #expect(try await database.pep.subscribe(owner: alice, node: "urn:xmpp:avatar:metadata", jid: bob, maxSubscribers: 10))
        #expect(try await database.pep.setAffiliations(owner: alice, node: "urn:xmpp:avatar:metadata", [(jid: bob, affiliation: "member")],
                                                       limit: 10))
        try await database.push.enable(owner: bob, PushRegistration(service: "push.example.net", node: "device-1",
                                                                    options: "<x xmlns='jabber:x:data' type='submit'/>"), limit: 10)
        try await database.webSessions.create(tokenHash: "ab12", account: alice, expires: Date().addingTimeInterval(3600), maxPerAccount: 5)
        try await database.chat.addInvitation(user: bob, room: "plans")
        try await database.chat.recordJoin(user: alice, room: "lobby")
        try await database.chat.setRoomVCard(room: "lobby", roomCard)
        _ = try await database.personalArchive.setPreferences(owner: alice, preferences)
        _ = try await database.compliance.set("run_interval", to: "600", defaults: ComplianceSettings(), actor: alice, session: "s",
                                              time: 1_780_000_000_000)
        let intent = try #require(try await database.compliance.beginExport(limit: 10, time: 1_780_000_100_000))
        try await database.compliance.finishExport(intent, files: ["out.xml"], time: 1_780_000_100_001)
        let created = Date(timeIntervalSince1970: 1_780_000_100)
        _ = try await database.files.reserve(FileRecord(id: unposted, uploader: bob, name: "draft.txt", size: 5, contentType: "text/plain",
                                                        created: created, expires: created.addingTimeInterval(3600)),
                                             dailyQuota: 1 << 30, storageCap: 1 << 40)
        try await database.files.recordDownload(download, journal: nil)
    }

    /// A SQLite service with a row in every copied table, and an empty PostgreSQL one to migrate it to.
    static func filledSourceAndEmptyTarget() async throws -> (source: SalonDatabase, postgres: TransferService, target: PostgresBackend) {
        let sqlite = try TransferService.make()
        try await sqlite.populate()
        try await fillEveryTable(sqlite.database)
        let source = try #require(sqlite.database as? SalonDatabase)
        let postgres = try await TransferService.make(.postgresql)
        return (source, postgres, try #require(postgres.database as? PostgresBackend))
    }

    @Test("Every copied table has a row, all are copied and match, PostgreSQL's stores return them, and ids continue past them")
    func everyTable() async throws {
        let (source, postgres, target) = try await Self.filledSourceAndEmptyTarget()

        let outcome = try await StorageMigration(source: source, target: target).run()
        #expect(outcome.firstMismatch == nil, "\(outcome.lines)")
        for table in MigratedTables.copied {
            #expect((outcome.tablesAdded.first { $0.table == table.name }?.rows ?? 0) > 0, "\(table.name) copied nothing")
            #expect(outcome.lines.contains { $0.hasPrefix("table \(table.name): ") && $0.hasSuffix("matches") }, "\(table.name)")
        }

        let pg = postgres.database
        #expect(try await pg.vCards.vCard(owner: Self.alice) == Self.card)
        #expect(try await pg.blocklists.items(owner: Self.alice) == ["spam@example.net"])
        #expect(try await pg.privateStorage.element(owner: Self.alice, namespace: "storage:bookmarks") == Self.bookmarks)
        #expect(try await pg.pep.node(owner: Self.alice, node: "urn:xmpp:avatar:metadata")?.config == Self.nodeConfig)
        #expect(try await pg.pep.items(owner: Self.alice, node: "urn:xmpp:avatar:metadata", ids: nil, max: nil).map(\.id) == ["c22b5f"])
        #expect(try await pg.pep.subscribers(owner: Self.alice, node: "urn:xmpp:avatar:metadata") == [Self.bob])
        #expect(try await pg.pep.affiliation(owner: Self.alice, node: "urn:xmpp:avatar:metadata", jid: Self.bob) == "member")
        #expect(try await pg.push.registrations(owner: Self.bob) == source.push.registrations(owner: Self.bob))
        #expect(try await pg.webSessions.session(tokenHash: "ab12")?.account == Self.alice)
        #expect(try await pg.chat.pendingInvitations(user: Self.bob) == ["plans"])
        #expect(try await pg.chat.hasJoined(user: Self.alice, room: "lobby"))
        #expect(try await pg.chat.roomVCard(room: "lobby") == Self.roomCard)
        #expect(try await pg.personalArchive.preferences(owner: Self.alice) == Self.preferences)
        #expect(try await pg.compliance.settings(defaults: ComplianceSettings()).runInterval == 600)
        #expect(try await pg.compliance.lastExport() == source.compliance.lastExport())
        #expect(try await pg.compliance.verify().firstBreak == nil)
        #expect(try await pg.files.file(id: Self.unposted) == source.files.file(id: Self.unposted))
        #expect(try await pg.files.downloads(of: Self.download.file) == [Self.download])
        let offline = try await pg.offline.drainMessages(owner: Self.bob)
        #expect(offline == (try await source.offline.drainMessages(owner: Self.bob)))
        #expect(offline.count == 1)

        // Identity columns continue past the copied ids: PostgreSQL numbers new rows itself.
        #expect(try await pg.offline.enqueue(owner: Self.alice, stanza: "<message><body>after</body></message>", limit: 100))
        _ = try await pg.pep.publish(owner: Self.alice, node: "urn:xmpp:avatar:metadata",
                                     item: PEPItem(id: "second", payload: "<metadata xmlns='urn:xmpp:avatar:metadata'/>", publisher: Self.alice),
                                     newConfig: Self.nodeConfig, limits: Self.limits, accepts: { _ in true })
        #expect(try await pg.pep.items(owner: Self.alice, node: "urn:xmpp:avatar:metadata", ids: nil, max: 1).map(\.id) == ["second"])
        try await pg.files.recordDownload(FileDownload(file: Self.unposted, room: nil, account: nil, time: Date(), range: 0...4), journal: nil)
    }

    @Test("Again copies nothing; a row that differs is named with its table, and the run exits as a mismatch")
    func againAndMismatch() async throws {
        let (source, postgres, target) = try await Self.filledSourceAndEmptyTarget()
        #expect(try await StorageMigration(source: source, target: target).run().firstMismatch == nil)

        let again = try await StorageMigration(source: source, target: target).run()
        #expect(again.firstMismatch == nil)
        #expect(again.tablesAdded.allSatisfy { $0.rows == 0 }, "\(again.tablesAdded)")

        // A row SQLite gains later is copied by the next run; one PostgreSQL changed on its own stays and is named.
        _ = try await source.blocklists.block(owner: Self.bob, jids: ["late@example.net"], limit: 100)
        try await postgres.database.vCards.setVCard(owner: Self.alice, VCardEntry(xml: "<vCard xmlns='vcard-temp'/>", photoHash: nil))
        let third = try await StorageMigration(source: source, target: target).run()
        #expect(third.tablesAdded.first { $0.table == "blocklist_items" }?.rows == 1)
        #expect(third.firstMismatch == "table vcards")
        #expect(third.lines.contains { $0.hasPrefix("table vcards: 1 on both, sha256 ") && $0.hasSuffix("DIFFER") })
        #expect(third.lines.contains { $0.hasPrefix("table blocklist_items: 2 on both") && $0.hasSuffix("matches") })
    }
}
