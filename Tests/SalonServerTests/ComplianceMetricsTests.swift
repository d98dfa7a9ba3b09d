import Foundation
import PersistentChat
import SalonStore
@testable import SalonServer
import Testing

@Suite("Compliance backlog in /metrics")
struct ComplianceMetricsTests {
    /// Two events an hour old and more, as the journal would hold them after an exporter outage.
    private func recordOld(_ server: TestServer) async throws -> Int {
        let hourAgo = Int64((Date().timeIntervalSince1970 - 3600) * 1000)
        try await server.database.compliance.append([
            ComplianceEvent(.join, time: hourAgo - 60_000, actorBare: "alice@salon.test", room: "design"),
            ComplianceEvent(.part, time: hourAgo, actorBare: "alice@salon.test", room: "design"),
        ])
        return try await server.database.compliance.counts().pending
    }

    @Test("Pending events and the age of the oldest are scraped; both fall to 0 once exported")
    func lagAndPending() async throws {
        try await withServer(configure: ComplianceRecordingTests.on) { server async throws in
            let idle = try await server.scrape()
            #expect(idle["salon_compliance_events_pending"] == 0 && idle["salon_compliance_lag_seconds"] == 0)
            #expect(idle.types["salon_compliance_lag_seconds"] == "gauge")

            let pending = try await recordOld(server)
            let waiting = try await server.scrape()
            #expect(waiting["salon_compliance_events_pending"] == Double(pending))
            #expect(try #require(waiting["salon_compliance_lag_seconds"]) >= 3660)

            let exporter = try #require(server.server.context?.muc.environment.compliance.administration)
            #expect(try await exporter.exportNow().events == pending)
            let exported = try await server.scrape()
            #expect(exported["salon_compliance_events_pending"] == 0 && exported["salon_compliance_lag_seconds"] == 0)
        }
    }

    @Test("With compliance off the lag is 0; what still waits is counted")
    func offMeansNoLag() async throws {
        try await withServer { server async throws in
            let pending = try await recordOld(server)
            let scrape = try await server.scrape()
            #expect(scrape["salon_compliance_events_pending"] == Double(pending))
            #expect(scrape["salon_compliance_lag_seconds"] == 0)
        }
    }
}
