import Foundation
import GRDB
import PersistentChat
import SalonTestSupport
import Testing
@testable import SalonStore

/// Runs once per backend (`TestBackend`); the journal written with the archive's changes is
/// ArchiveComplianceTests'.
@Suite struct ComplianceJournalTests {
    private func event(_ index: Int, _ type: ComplianceEventType = .join, room: String = "lobby") -> ComplianceEvent {
        ComplianceEvent(type, time: 1_700_000_000_000 + Int64(index), actorBare: "alice@example.com", actorFull: "alice@example.com/phone",
                        room: room, payload: CompliancePayload([("n", .number(Int64(index)))]).json)
    }

    @Test(arguments: TestBackend.all) func eventsAreChainedAndTheChainVerifies(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
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
    }

    @Test(arguments: TestBackend.all) func theJournalRefusesDeletesAndChanges(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            try await database.compliance.append([event(1)])
            await #expect(throws: (any Error).self) { try await executeRaw(database, "DELETE FROM compliance_events") }
            await #expect(throws: (any Error).self) { try await executeRaw(database, "UPDATE compliance_events SET payload = '{}'") }
            // The export marker is set once, never changed or cleared.
            try await executeRaw(database, "UPDATE compliance_events SET exported_at = 5")
            await #expect(throws: (any Error).self) { try await executeRaw(database, "UPDATE compliance_events SET exported_at = NULL") }
            if backend == .postgresql {
                await #expect(throws: (any Error).self) { try await executeRaw(database, "TRUNCATE compliance_events") }
            }
            #expect(try await database.compliance.verify() == (1, nil))
        }
    }

    /// Events no backend can store (a NUL, an oversized field) are refused alike, and nothing is written.
    @Test(arguments: TestBackend.all) func hostileEventsAreRefusedAlike(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            var nul = event(1)
            nul.payload = "{\"n\":\"\u{0}\"}"
            var huge = event(2)
            huge.actorBare = String(repeating: "a", count: 4000)
            for bad in [nul, huge] {
                #expect(await storeErrorKind { try await database.compliance.append([event(0), bad]) } == .invalidArgument)
            }
            #expect(try await database.compliance.counts() == (0, 0))
        }
    }

    /// Someone with raw database access drops the guard and rewrites a payload: verify names the row.
    @Test(arguments: TestBackend.all) func aTamperedRowIsFound(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            try await database.compliance.append((1...5).map { event($0) })
            try await executeRaw(database, backend == .sqlite ? "DROP TRIGGER compliance_events_no_update"
                                 : "DROP TRIGGER compliance_events_no_update ON compliance_events")
            try await executeRaw(database, "UPDATE compliance_events SET payload = '{\"n\":99}' WHERE seq = 3")
            let (checked, firstBreak) = try await database.compliance.verify()
            #expect(checked == 2)
            #expect(firstBreak?.seq == 3)
            #expect(firstBreak?.reason.contains("does not match its hash") == true)
        }
    }

    @Test(arguments: TestBackend.all) func aDeletedRowIsFound(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            try await database.compliance.append((1...4).map { event($0) })
            try await executeRaw(database, backend == .sqlite ? "DROP TRIGGER compliance_events_no_delete"
                                 : "DROP TRIGGER compliance_events_no_delete ON compliance_events")
            try await executeRaw(database, "DELETE FROM compliance_events WHERE seq = 2")
            #expect(try await database.compliance.verify().firstBreak == ComplianceChainBreak(seq: 3, reason: "events 2…2 are missing"))
        }
    }

    /// Two nodes append at once, many times each, some in batches: the journal is one
    /// unbroken chain with every event in it, and verifies the same way on both backends
    /// (past PostgreSQL's page of rows per read).
    @Test(arguments: TestBackend.all) func concurrentAppendersFromTwoNodesMakeOneChain(backend: TestBackend) async throws {
        try await withTwoNodes(backend) { first, second async throws in
            let perTask = 30, batch = 20
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, node) in [first, second, first, second].enumerated() {
                    group.addTask {
                        for round in 0..<perTask {
                            let events = (0..<batch).map { self.event(index * 10_000 + round * batch + $0) }
                            try await node.compliance.append(round % 3 == 0 ? events : Array(events.prefix(1)))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let expected = 4 * (0..<perTask).reduce(0) { $0 + ($1 % 3 == 0 ? batch : 1) }
            #expect(try await first.compliance.counts().total == expected)
            #expect(try await second.compliance.verify() == (Int64(expected), nil))
            let rows = try await first.compliance.events(1...Int64(expected))
            #expect(rows.map(\.seq) == Array(1...Int64(expected)))
            #expect(Set(rows.map(\.time)).count == expected)
        }
    }

    @Test(arguments: TestBackend.all) func settingsChangesAreJournaledEvenWhenTurningOff(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
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
    }

    /// An export's range is fixed when it begins; finishing marks exactly that range.
    @Test(arguments: TestBackend.all) func exportsCoverAFixedRange(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let journal = database.compliance
            #expect(try await journal.beginExport(limit: 10, time: 1) == nil)
            #expect(try await journal.lastExport() == nil)
            try await journal.append((1...3).map { event($0) })
            #expect(try await journal.backlog() == (3, 1_700_000_000_001))
            let intent = try #require(try await journal.beginExport(limit: 10, time: 1))
            #expect(intent.range == 1...3)
            try await journal.append([event(4)])
            #expect(try await journal.unfinishedExport() == intent)
            try await journal.finishExport(intent, files: ["a.xml"], time: 2)
            #expect(try await journal.unfinishedExport() == nil)
            #expect(try await journal.pending(limit: 10).map(\.seq) == [4])
            #expect(try await journal.pending(after: 4, limit: 10) == [])
            let counts = try await journal.counts()
            #expect(counts.total == 4 && counts.pending == 1)
            #expect(try await journal.backlog() == (1, 1_700_000_000_004))
            #expect(try await journal.lastExport() == 2)
        }
    }
}
