import Foundation
import PersistentChat
@testable import SalonAdmin
import SalonSecurity
import SalonStore
import SalonTestSupport
import Testing

@Suite("The compliance journal in export and import")
struct ComplianceTransferTests {
    /// Appends `count` events an hour apart from `start` (ms), the first `exported` of them exported.
    private func record(_ service: TransferService, count: Int, start: Int64, exported: Int = 0) async throws {
        var events: [ComplianceEvent] = []
        for index in 0..<count {
            let time: Int64 = start + Int64(index) * 3_600_000
            let payload = index % 2 == 0 ? "<message type='groupchat'><body>said \(index) &amp; \"quoted\"</body></message>" : "{}"
            events.append(ComplianceEvent(index % 2 == 0 ? .chat : .join, time: time, actorBare: "alice@example.com",
                                          actorFull: "alice@example.com/phone", room: "lobby", payload: payload))
        }
        try await service.database.compliance.append(events)
        if exported > 0, let intent = try await service.database.compliance.beginExport(limit: exported, time: start) {
            try await service.database.compliance.finishExport(intent, files: ["out.xml"], time: start + 1)
        }
    }

    private func journal(_ service: TransferService) async throws -> [ComplianceRecord] {
        try await service.database.transfer.export { snapshot in
            var records: [ComplianceRecord] = []
            try await snapshot.forEachComplianceEvent(since: nil) { records.append($0) }
            return records
        }
    }

    @Test("Round trip into a fresh service: the same journal, marks kept, the chain verifies; twice changes nothing", arguments: TestBackend.all)
    func roundTripAndTwice(_ backend: TestBackend) async throws {
        let source = try await TransferService.make(backend)
        try await source.populate()
        try await record(source, count: 5, start: 1_780_000_000_000, exported: 2)
        let first = try await source.export()
        #expect(try TransferService.contents(of: first)[ExportFormat.compliance].map { ($0 as? Set<String>)?.count } == 5)

        let target = try await TransferService.make(backend)
        let report = try await target.importer().importFile(at: first, dryRun: false)
        #expect(report.conflicts == [] && report.committed)
        #expect((report.complianceEventsAdded, report.complianceEventsPresent) == (5, 0))
        #expect(try await journal(target) == journal(source))
        #expect(try await target.database.compliance.counts() == (total: 5, pending: 3))
        let verified = try await target.database.compliance.verify()
        #expect(verified.checked == 5 && verified.firstBreak == nil)
        let second = try await target.export()
        #expect(try TransferService.contents(of: first) == TransferService.contents(of: second))

        let again = try await target.importer().importFile(at: first, dryRun: false)
        #expect(again.conflicts == [] && (again.complianceEventsAdded, again.complianceEventsPresent) == (0, 5))
        #expect(try await journal(target) == journal(source))
        #expect(again.lines(dryRun: false).first?.contains("0 compliance events (5 already here)") == true)
    }

    @Test("A journal that recorded events of its own is a conflict, and nothing changes", arguments: TestBackend.all)
    func forkedJournalRefused(_ backend: TestBackend) async throws {
        let source = try await TransferService.make(backend)
        try await record(source, count: 3, start: 1_780_000_000_000)
        let path = try await source.export()

        let target = try await TransferService.make(backend)
        _ = try await target.accounts.add("carol", password: "carol-pw")
        try await record(target, count: 1, start: 1_790_000_000_000)
        let before = try await journal(target)
        let report = try await target.importer().importFile(at: path, dryRun: false)
        #expect(!report.committed)
        #expect(report.conflicts.count == 1 && report.conflicts[0].contains("another event 1 than the file"))
        #expect(try await journal(target) == before)
    }

    @Test("An export --since continues a journal that holds the events before it, and nothing else", arguments: TestBackend.all)
    func sinceContinues(_ backend: TestBackend) async throws {
        let source = try await TransferService.make(backend)
        try await record(source, count: 3, start: 1_780_000_000_000)
        let target = try await TransferService.make(backend)
        #expect(try await target.importer().importFile(at: try await source.export(), dryRun: false).complianceEventsAdded == 3)

        try await record(source, count: 2, start: 1_785_000_000_000)
        let later = try await source.export(ExportOptions(since: Date(timeIntervalSince1970: 1_785_000_000)))
        #expect(try TransferService.contents(of: later)[ExportFormat.compliance].map { ($0 as? Set<String>)?.count } == 2)

        let fresh = try await TransferService.make(backend)
        let refused = try await fresh.importer().importFile(at: later, dryRun: false)
        #expect(refused.conflicts == ["the compliance journal in the file begins at event 4; this one has 0 events, so events 1…3 would be missing"])

        let report = try await target.importer().importFile(at: later, dryRun: false)
        #expect(report.conflicts == [] && report.complianceEventsAdded == 2)
        #expect(try await journal(target) == journal(source))
        #expect(try await target.database.compliance.verify().firstBreak == nil)
    }

    @Test("A category export leaves the journal out: a journal cut by room is no chain")
    func categoryLeavesJournalOut() async throws {
        let source = try TransferService.make()
        try await source.populate()
        try await record(source, count: 2, start: 1_780_000_000_000)
        let path = try await source.export(ExportOptions(categories: ["general"]))
        #expect(try TransferService.contents(of: path)[ExportFormat.compliance] == nil)
    }

    @Test("A changed row, a dropped row or a broken link in the file is refused before anything changes", arguments: TestBackend.all)
    func tamperedFileRefused(_ backend: TestBackend) async throws {
        let source = try await TransferService.make(backend)
        try await record(source, count: 3, start: 1_780_000_000_000)
        let lines = try await journal(source).map { ComplianceEventDocument($0) }
        let encoder = ServiceExporter.encoder(pretty: false)
        func importing(_ documents: [ComplianceEventDocument]) async throws -> ServiceImportReport {
            let body = try documents.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
            let members = [(ExportFormat.compliance, Data(body.utf8))]
            let path = try writeZIP([(ExportFormat.manifest, try manifest(for: members))] + members)
            let target = try await TransferService.make(backend)
            let report = try await target.importer().importFile(at: path, dryRun: false)
            #expect(try await target.database.compliance.counts().total == (report.committed ? documents.count : 0))
            return report
        }
        var changed = lines
        changed[1].payload = "{\"edited\":true}"
        #expect(try await importing(changed).conflicts == ["compliance event 2 in the file does not match its hash (changed after it was written)"])
        #expect(try await importing([lines[0], lines[2]]).conflicts == ["the compliance journal in the file jumps from event 1 to 3"])
        var relinked = lines
        relinked[2].prevHash = lines[0].hash
        #expect(try await importing(relinked).conflicts == ["the compliance journal in the file is broken at event 3"])
        #expect(try await importing(lines).committed)
    }
}
