import Foundation
import SalonClient
@testable import SalonServer
@testable import SalonStore
import Testing
import XMPPCore

@Suite("Full-text search over the index written behind the archive")
struct MUCArchiveIndexTests {
    let room = "design@\(chatDomain)"
    let fulltext = "{urn:xmpp:fulltext:0}fulltext"

    @Test("A search finds posts the index has not taken yet, also after a restart",
          .enabled(if: !ServerTestBackend.isPostgreSQL, "SQLite's index catch-up; PostgreSQL indexes in the insert"))
    func searchCoversTheUnindexedTail() async throws {
        let server = try await TestServer.start()
        let alice = try await MUCArchiveTests().setUp(server)
        let backlog = try await #require(server.sqlite).writer.read { db in try ArchiveIndexCatchUp.backlog(db) }
        #expect(backlog == 10)
        #expect(bodies(try await alice.archive(room, fields: [fulltext: ["budget"]]).results) == ["budget review", "Budget freeze", "budget approved"])
        alice.say("design", "budget later")
        _ = try await alice.heard(in: "design")
        await server.stop()

        let restarted = try await TestServer.start(directory: server.directory)
        let again = try await restarted.online("alice")
        #expect(try await #require(restarted.sqlite).writer.read { db in try ArchiveIndexCatchUp.backlog(db) } == 1)
        let found = try await again.archive(room, fields: [fulltext: ["budget"]])
        #expect(bodies(found.results) == ["budget review", "Budget freeze", "budget approved", "budget later"])
        #expect(fin(found.reply).count == 4)
        await restarted.stop()
        restarted.removeFiles()
    }
}
