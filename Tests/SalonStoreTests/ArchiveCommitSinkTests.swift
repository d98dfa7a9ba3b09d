import Foundation
import Synchronization
import Testing
@testable import SalonStore

/// A sink that records what the writer tells it, and lets a test await a number of results.
private final class RecordingSink: ArchiveCommitSink {
    struct Record {
        var results: [(UInt64, Result<Int64, any Error>)] = []
        /// How many results each `commitEnded` closed.
        var batches: [Int] = []
        var waiter: (count: Int, continuation: CheckedContinuation<Void, Never>)?
    }
    let record = Mutex(Record())

    func committed(_ token: UInt64, _ result: Result<Int64, any Error>) {
        record.withLock { $0.results.append((token, result)) }
    }

    func commitEnded() {
        let resume = record.withLock { record -> CheckedContinuation<Void, Never>? in
            record.batches.append(record.results.count - record.batches.reduce(0, +))
            guard let waiter = record.waiter, record.results.count >= waiter.count else { return nil }
            record.waiter = nil
            return waiter.continuation
        }
        resume?.resume()
    }

    /// Returns once `count` results were told and their batches ended.
    func wait(for count: Int) async {
        await withCheckedContinuation { continuation in
            let done = record.withLock { record in
                if record.results.count >= count, record.batches.reduce(0, +) == record.results.count { return true }
                record.waiter = (count, continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

@Suite struct ArchiveCommitSinkTests {
    @Test func aSinkLearnsEveryResultInQueueOrderAndEachBatchEndsOnce() async throws {
        try await withTemporaryDirectory { path in
            let database = try SalonDatabase(directory: path)
            let writer = SQLiteArchiveWriter(database: database, maxBatch: 8)
            let sink = RecordingSink()
            for index in 0..<50 { writer.append(archiveMessage("lobby", index), token: UInt64(100 + index), sink: sink) }
            await sink.wait(for: 50)
            let record = sink.record.withLock { $0 }
            #expect(record.results.map(\.0) == (100..<150).map(UInt64.init))
            #expect(record.results.map { try? $0.1.get() } == (1...50).map(Int64.init))
            // Each commit ends once, after its own results; none holds more than a batch.
            #expect(record.batches.reduce(0, +) == 50)
            #expect(record.batches.allSatisfy { $0 >= 1 && $0 <= 8 })
            await writer.close()
            try database.close()
            // Everything told committed is there after reopening.
            let reopened = try SalonDatabase(directory: path)
            defer { try? reopened.close() }
            var query = ArchiveQuery(rooms: ["lobby"])
            query.max = 100
            #expect(try await reopened.archive.query(query).count == 50)
        }
    }

    @Test func aSinkSharesBatchesWithClosuresAndLearnsItsOwnFailures() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database)
        _ = try await writer.append(archiveMessage("lobby", 0))
        let sink = RecordingSink()
        writer.append(archiveMessage("lobby", 1), token: 1, sink: sink)
        let closure = Task { try await writer.append(archiveMessage("lobby", 2)) }
        // A duplicate stanza-id fails only its own append.
        writer.append(archiveMessage("lobby", 0), token: 2, sink: sink)
        writer.append(archiveMessage("lobby", 3), token: 3, sink: sink)
        await sink.wait(for: 3)
        #expect(try await closure.value >= 2)
        let results = sink.record.withLock { $0.results }
        #expect(results.map(\.0) == [1, 2, 3])
        #expect((try? results[0].1.get()) != nil)
        if case .failure(let error) = results[1].1 { #expect((error as? StoreError)?.kind == .conflict) } else { Issue.record("the duplicate was archived") }
        #expect((try? results[2].1.get()) != nil)

        // Refused once closed: told at once, with its batch ended.
        await writer.close()
        let late = RecordingSink()
        writer.append(archiveMessage("lobby", 4), token: 9, sink: late)
        await late.wait(for: 1)
        let refused = late.record.withLock { $0 }
        #expect(refused.results.count == 1 && refused.batches == [1])
        if case .success = refused.results[0].1 { Issue.record("a closed writer archived a message") }
        #expect(try await database.archive.query(ArchiveQuery(rooms: ["lobby"])).count == 4)
    }
}
