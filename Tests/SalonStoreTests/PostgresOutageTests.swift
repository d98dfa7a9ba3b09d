import Foundation
import PostgresNIO
@testable import SalonStore
import SalonTestSupport
import Testing

/// Issue #20, the database going away: operations are bounded in time and fail as
/// unavailable, nothing is acknowledged that was not committed, the pool's waiting room is
/// bounded, and the log says once that the database went and once that it came back.
@Suite(.enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)), .tags(.databaseFaults))
struct PostgresOutageTests {
    /// A cluster of the test's own is stopped under a node and started again on the same port.
    @Test func postsAreRefusedWhileTheDatabaseIsGoneAndNothingAcknowledgedIsLost() async throws {
        try await PrivateCluster.with { cluster async throws in
            var configuration = try PostgresConfiguration(url: cluster.url)
            configuration.operationTimeout = .seconds(1)
            let log = LoggedLines()
            let node = try await PostgresBackend.open(configuration, logger: log.logger)
            let writer = node.archiveWriter(maxBatch: 16, commitObserver: nil)
            var acknowledged: [String] = []
            var next = 0
            func post() async throws {
                let message = archiveMessage("lobby", next)
                next += 1
                _ = try await writer.append(message)
                acknowledged.append(message.stanzaID)
            }
            for _ in 0..<20 { try await post() }

            try cluster.halt()
            let clock = ContinuousClock()
            let stopped = clock.now
            for _ in 0..<3 {
                #expect(await storeErrorKind { try await post() } == .unavailable)
            }
            #expect(await storeErrorKind { _ = try await node.archive.query(archiveQuery("lobby")) } == .unavailable)
            #expect(await storeErrorKind { _ = try await node.accounts.exists(jid: "alice@example.com") } == .unavailable)
            // Coarse on purpose: without the deadline each would wait about a minute for the pool.
            #expect(clock.now - stopped < .seconds(30))

            try cluster.resume()
            // The pool reconnects on its own retry schedule: until then posts are still refused.
            var refusedAfterResume = 0
            while true {
                do {
                    try await post()
                    break
                } catch let error as StoreError where error.kind == .unavailable {
                    refusedAfterResume += 1
                    try #require(refusedAfterResume < 60, "the node did not reconnect: \(error)")
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            for _ in 0..<5 { try await post() }
            await writer.close()

            // Every acknowledged message exactly once, in order; none of the refused ones.
            let page = try await node.archive.query(archiveQuery("lobby") { $0.max = 1000 })
            #expect(page.ids == acknowledged)
            #expect(page.messages.map(\.sequence) == Array(1...Int64(acknowledged.count)))
            #expect(log.messages(containing: "is unreachable").count == 1)
            #expect(log.messages(containing: "is reachable again").count == 1)
            #expect(log.messages(containing: "Connection creation failed").isEmpty)
            await node.shutdown()
        }
    }

    /// A statement that outlives the deadline fails as unavailable; its connection is closed and
    /// the next operation runs on another.
    @Test func anOperationPastTheDeadlineFailsAsUnavailable() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            var configuration = configuration
            configuration.operationTimeout = .milliseconds(300)
            let node = try await PostgresBackend.open(configuration)
            #expect(await storeErrorKind { _ = try await node.access.query("SELECT pg_sleep(3)") } == .unavailable)
            // A fresh connection may take longer than that deadline on a loaded machine.
            #expect(try await node.access.within(.seconds(60)).query("SELECT 1").first?.decode(Int.self) == 1)
            await node.shutdown()
        }
    }

    /// With every connection busy and the waiting room full, one more operation is refused at
    /// once (logged once), and the ones admitted all run when the connections free up.
    @Test func anExhaustedPoolRefusesAtOnceAndRecovers() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            var configuration = configuration
            configuration.maximumConnections = 2
            configuration.maximumWaiting = 2
            configuration.operationTimeout = .seconds(60)
            let log = LoggedLines()
            let node = try await PostgresBackend.open(configuration, logger: log.logger)
            let key = Int64.random(in: 1...Int64.max)
            // A connection of the test's own holds an advisory lock the node's operations wait for.
            let holder = PostgresClient(configuration: configuration.client)
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await holder.run() }
                try await holder.withConnection { lock in
                    _ = try await lock.query("SELECT pg_advisory_lock(\(key))", logger: log.logger).collect()
                    try await withThrowingTaskGroup(of: Void.self) { waiting in
                        for _ in 0..<4 {
                            waiting.addTask { _ = try await node.access.query("SELECT pg_advisory_xact_lock(\(key))") }
                        }
                        while node.access.health.underWay < 4 { try await Task.sleep(for: .milliseconds(10)) }
                        let refusal = await #expect(throws: StoreError.self) { _ = try await node.access.query("SELECT 1") }
                        #expect(refusal?.kind == .unavailable && refusal?.message.contains("busy") == true)
                        #expect(await storeErrorKind { _ = try await node.accounts.exists(jid: "alice@example.com") } == .unavailable)
                        _ = try await lock.query("SELECT pg_advisory_unlock(\(key))", logger: log.logger).collect()
                        try await waiting.waitForAll()
                    }
                }
                group.cancelAll()
            }
            #expect(try await node.accounts.exists(jid: "alice@example.com") == false)
            #expect(log.messages(containing: "every pooled connection is busy").count == 1)
            #expect(log.messages(containing: "the pool has room again after 2 operations were refused").count == 1)
            #expect(log.messages(containing: "unreachable").isEmpty)
            await node.shutdown()
        }
    }
}
