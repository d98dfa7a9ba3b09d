import Foundation
import Synchronization
import Testing
@testable import SalonStore

/// How the archive writer forms its group commits.
@Suite struct ArchiveWriterBatchTests {
    /// Holds the database's writer connection until `release`, so appends queue up behind it.
    private final class WriterHold: Sendable {
        private let entered = DispatchSemaphore(value: 0)
        private let released = DispatchSemaphore(value: 0)
        let task: Task<Void, any Error>

        init(_ database: SalonDatabase) async {
            let entered = entered, released = released
            task = Task.detached {
                try await database.writer.write { _ in
                    entered.signal()
                    released.wait()
                }
            }
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    entered.wait()
                    continuation.resume()
                }
            }
        }

        func release() async throws {
            released.signal()
            try await task.value
        }
    }

    @Test func everyWaitingAppendJoinsOneCommitWhateverItsCount() async throws {
        let database = try SalonDatabase.inMemory()
        let commits = Mutex<[Int]>([])
        let writer = SQLiteArchiveWriter(database: database) { messages, _ in commits.withLock { $0.append(messages) } }
        let hold = await WriterHold(database)
        let (outcomes, outcome) = AsyncStream.makeStream(of: Int64?.self)
        // Seven appends wait together: one commit, not a power-of-two slice and its remainder.
        for index in 0..<7 {
            writer.append(archiveMessage("lobby", index)) { outcome.yield(try? $0.get()) }
        }
        try await hold.release()
        // Callers are resumed after the commit, from a task of their own.
        var sequences: [Int64?] = []
        for await sequence in outcomes {
            sequences.append(sequence)
            if sequences.count == 7 { break }
        }
        await writer.close()
        #expect(commits.withLock { $0 } == [7])
        #expect(sequences.compactMap { $0 }.sorted() == Array(1...7))
        #expect(try await database.archive.query(ArchiveQuery(rooms: ["lobby"])).count == 7)
    }

    @Test func aBatchLargerThanMaxBatchCommitsInSlicesOfMaxBatch() async throws {
        let database = try SalonDatabase.inMemory()
        let commits = Mutex<[Int]>([])
        let writer = SQLiteArchiveWriter(database: database, maxBatch: 5) { messages, _ in commits.withLock { $0.append(messages) } }
        let hold = await WriterHold(database)
        for index in 0..<12 {
            writer.append(archiveMessage("lobby", index)) { _ in }
        }
        try await hold.release()
        await writer.close()
        #expect(commits.withLock { $0 } == [5, 5, 2])
        let stored = try await database.archive.query(ArchiveQuery(rooms: ["lobby"]))
        #expect(stored.messages.map(\.sequence) == Array(1...12))
    }

    @Test func afterACommitTheWriterWaitsForCompanyOnlyWhileAFewAppendsWaitAndNotForLong() {
        // Nothing waiting: the writer goes idle (a post to an idle writer is never held back).
        #expect(!CommitGathering.shouldWait(waiting: 0, waited: .zero))
        // A few waiting right after a commit: worth a moment for more.
        #expect(CommitGathering.shouldWait(waiting: 1, waited: .zero))
        #expect(CommitGathering.shouldWait(waiting: CommitGathering.target - 1, waited: CommitGathering.limit - CommitGathering.slice))
        // Enough waiting, or waited long enough: commit now.
        #expect(!CommitGathering.shouldWait(waiting: CommitGathering.target, waited: .zero))
        #expect(!CommitGathering.shouldWait(waiting: 1, waited: CommitGathering.limit))
    }

    @Test func gatheringSleepsNoLongerThanItsLimitWhenNothingMoreComes() {
        var looks = 0
        let clock = ContinuousClock()
        let started = clock.now
        CommitGathering.gather {
            looks += 1
            return 1
        }
        // One look per slice until the limit, and one more that ends it.
        #expect(looks == Int(CommitGathering.limit / CommitGathering.slice) + 1)
        #expect(clock.now - started >= CommitGathering.limit)
    }
}
