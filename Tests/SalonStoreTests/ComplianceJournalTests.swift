import Foundation
import GRDB
import PersistentChat
import Testing
@testable import SalonStore

@Suite struct ComplianceJournalTests {
    private func event(_ index: Int, _ type: ComplianceEventType = .join, room: String = "lobby") -> ComplianceEvent {
        ComplianceEvent(type, time: 1_700_000_000_000 + Int64(index), actorBare: "alice@example.com", actorFull: "alice@example.com/phone",
                        room: room, payload: CompliancePayload([("n", .number(Int64(index)))]).json)
    }

    @Test func eventsAreChainedAndTheChainVerifies() async throws {
        let database = try SalonDatabase.inMemory()
        let journal = database.compliance
        #expect(try await journal.append([event(1), event(2)]) == 2)
        #expect(try await journal.append([event(3, .part)]) == 3)
        let rows = try await journal.events(1...3)
        #expect(rows.map(\.seq) == [1, 2, 3])
        #expect(rows[0].prevHash == ComplianceChain.genesis)
        #expect(rows[1].prevHash == rows[0].hash)
        #expect(rows[2].prevHash == rows[1].hash)
        #expect(rows[2].type == "PART")
        let (checked, firstBreak) = try await journal.verify()
        #expect(checked == 3)
        #expect(firstBreak == nil)
    }

    @Test func theJournalRefusesDeletesAndChanges() async throws {
        let database = try SalonDatabase.inMemory()
        try await database.compliance.append([event(1)])
        await #expect(throws: (any Error).self) {
            try await database.writer.write { try $0.execute(sql: "DELETE FROM compliance_events") }
        }
        await #expect(throws: (any Error).self) {
            try await database.writer.write { try $0.execute(sql: "UPDATE compliance_events SET payload = '{}'") }
        }
        // The export marker is set once, never changed or cleared.
        try await database.writer.write { try $0.execute(sql: "UPDATE compliance_events SET exported_at = 5") }
        await #expect(throws: (any Error).self) {
            try await database.writer.write { try $0.execute(sql: "UPDATE compliance_events SET exported_at = NULL") }
        }
        #expect(try await database.compliance.verify().firstBreak == nil)
    }

    /// Someone with raw SQLite access drops the guard and rewrites a payload: verify names the row.
    @Test func aTamperedRowIsFound() async throws {
        let database = try SalonDatabase.inMemory()
        try await database.compliance.append((1...5).map { event($0) })
        try await database.writer.write { db in
            try db.execute(sql: "DROP TRIGGER compliance_events_no_update")
            try db.execute(sql: "UPDATE compliance_events SET payload = '{\"n\":99}' WHERE seq = 3")
        }
        let (checked, firstBreak) = try await database.compliance.verify()
        #expect(checked == 2)
        #expect(firstBreak?.seq == 3)
        #expect(firstBreak?.reason.contains("does not match its hash") == true)
    }

    @Test func aDeletedRowIsFound() async throws {
        let database = try SalonDatabase.inMemory()
        try await database.compliance.append((1...4).map { event($0) })
        try await database.writer.write { db in
            try db.execute(sql: "DROP TRIGGER compliance_events_no_delete")
            try db.execute(sql: "DELETE FROM compliance_events WHERE seq = 2")
        }
        #expect(try await database.compliance.verify().firstBreak == ComplianceChainBreak(seq: 3, reason: "events 2…2 are missing"))
    }

    /// A post's CHAT event is written in the transaction that archives the post; a post the
    /// archive refuses (a stanza-id already there) leaves no event.
    @Test func chatEventsShareThePostsCommit() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database)
        var first = archiveMessage("lobby", 1)
        first.compliance = .chat(time: 1, user: first.senderJID, session: "alice@example.com/a", room: "lobby", stanza: first.stanza)
        _ = try await writer.append(first)
        await #expect(throws: (any Error).self) { _ = try await writer.append(first) }
        try await writer.journal([event(2, .backchat)])
        await writer.close()
        let rows = try await database.compliance.events(1...10)
        #expect(rows.map(\.type) == ["CHAT", "BACKCHAT"])
        #expect(rows[0].payload == first.stanza)
        #expect(try await database.compliance.verify().firstBreak == nil)
    }

    @Test func settingsChangesAreJournaledEvenWhenTurningOff() async throws {
        let database = try SalonDatabase.inMemory()
        let journal = database.compliance
        var defaults = ComplianceSettings()
        defaults.runInterval = 120
        _ = try await journal.set("enabled", to: "on", defaults: defaults, actor: "system", time: 1)
        let (before, after) = try await journal.set("enabled", to: "off", defaults: defaults, actor: "admin@example.com", time: 2)
        #expect(before.enabled && !after.enabled)
        #expect(try await journal.settings(defaults: defaults).runInterval == 120)
        await #expect(throws: StoreError.self) {
            _ = try await journal.set("run_interval", to: "59", defaults: defaults, actor: "system", time: 3)
        }
        let rows = try await journal.events(1...10)
        #expect(rows.map(\.type) == ["COMPLIANCE_CHANGED", "COMPLIANCE_CHANGED"])
        #expect(rows[1].actorBare == "admin@example.com")
        #expect(rows[1].payload == #"{"what":"enabled","before":"true","after":"false"}"#)
    }

    /// An export's range is fixed when it begins; finishing marks exactly that range.
    @Test func exportsCoverAFixedRange() async throws {
        let database = try SalonDatabase.inMemory()
        let journal = database.compliance
        try await journal.append((1...3).map { event($0) })
        let intent = try #require(try await journal.beginExport(limit: 10, time: 1))
        #expect(intent.range == 1...3)
        try await journal.append([event(4)])
        #expect(try await journal.unfinishedExport() == intent)
        try await journal.finishExport(intent, files: ["a.xml"], time: 2)
        #expect(try await journal.unfinishedExport() == nil)
        #expect(try await journal.pending(limit: 10).map(\.seq) == [4])
        let counts = try await journal.counts()
        #expect(counts.total == 4 && counts.pending == 1)
    }
}
