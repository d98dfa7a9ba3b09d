import GRDB
import Synchronization

/// The single writer with group commit: appends from many rooms are gathered and committed
/// together (one transaction, one fsync) while the previous batch commits; each caller resumes
/// only after the transaction holding its message has committed (durable: synchronous=FULL or
/// equivalent). Thread-safe; one per database.
public final class ArchiveWriter: Sendable {
    /// The most appends waiting at once; beyond it appends fail as busy instead of piling up memory.
    public static let maxPending = 100_000

    private let access: StoreAccess
    private let maxBatch: Int
    private let state = Mutex(State())

    /// What a waiting append is told: its message's sequence once committed, or the failure.
    public typealias Caller = @Sendable (Result<Int64, any Error>) -> Void

    private struct State {
        var queue = ArchiveAppendQueue<ArchiveBatchInsert.Item, Caller>()
        var draining = false
        var closed = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Creates the writer of `database`; a batch holds at most `maxBatch` messages (clamped to 1…10 000).
    /// Batches are powers of two (see ArchiveInsertStatement), so the default takes up to 1024.
    public init(database: SalonDatabase, maxBatch: Int = 1024) {
        access = StoreAccess(writer: database.writer)
        self.maxBatch = min(max(maxBatch, 1), 10_000)
    }

    /// Archives `message` and returns its sequence once its transaction has committed.
    /// Throws invalidArgument for a malformed message, conflict for a stanza-id already archived,
    /// busy when too many appends wait. Cancelling the caller does not withdraw the message.
    public func append(_ message: StoredMessage) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            append(message) { continuation.resume(with: $0) }
        }
    }

    /// Queues `message` now — messages queued by one caller are archived in that order — and
    /// calls `completion` with its sequence once its transaction has committed (or the failure).
    /// Completions of different batches may run concurrently; a caller that needs them in order
    /// keeps its own queue (rooms do, see UnconfirmedPost).
    public func append(_ message: StoredMessage, completion: @escaping Caller) {
        let item: ArchiveBatchInsert.Item
        do {
            try message.validate()
            item = ArchiveBatchInsert.Item(message: message, timestamp: try InputLimits.milliseconds(message.timestamp))
        } catch {
            return completion(.failure(error))
        }
        let outcome: Result<Bool, StoreError> = state.withLock { state in
            if state.closed { return .failure(StoreError(.other, "the archive writer is closed")) }
            if state.queue.count >= Self.maxPending {
                return .failure(StoreError(.busy, "too many archive appends are waiting"))
            }
            state.queue.append(item, completion)
            if state.draining { return .success(false) }
            state.draining = true
            return .success(true)
        }
        switch outcome {
        case .failure(let error):
            completion(.failure(error))
        case .success(let startDraining):
            if startDraining {
                Task { await self.drain() }
            }
        }
    }

    /// Refuses further appends and returns once every pending one has committed (or failed).
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                state.closed = true
                if state.draining {
                    state.closeWaiters.append(continuation)
                    return false
                }
                return true
            }
            if idle { continuation.resume() }
        }
    }

    /// Commits batches until the queue is empty; appends arriving meanwhile join the next batch.
    private func drain() async {
        while true {
            let closeWaiters: [CheckedContinuation<Void, Never>]?
            do {
                closeWaiters = try await access.writer.writeWithoutTransaction { db in try self.commitTurn(db) }
            } catch {
                // The connection could not be used at all (closed database…): fail what waits.
                closeWaiters = failQueued(StoreError.wrapping(error))
            }
            if let closeWaiters {
                closeWaiters.forEach { $0.resume() }
                return
            }
        }
    }

    /// Commits batch after batch on the writer connection without hopping back to the
    /// cooperative pool between batches (there the next batch would wait behind the callers
    /// just resumed). A turn ends after `turnDuration` so
    /// other writers get the connection; returns the close waiters once the queue is empty, nil
    /// when the turn ended first.
    private func commitTurn(_ db: Database) throws -> [CheckedContinuation<Void, Never>]? {
        try db.withFullSync {
            try Self.tuneConnection(db)
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: Self.turnDuration)
            repeat {
                switch nextBatch() {
                case .batch(let items, let callers): commit(items, callers, db)
                case .idle(let closeWaiters): return closeWaiters
                }
            } while clock.now < deadline
            return nil
        }
    }

    private enum Next {
        case batch(items: [ArchiveBatchInsert.Item], callers: [Caller])
        case idle([CheckedContinuation<Void, Never>])
    }

    /// Takes the next batch off the queue, or stops draining when it is empty.
    private func nextBatch() -> Next {
        state.withLock { state in
            if state.queue.isEmpty {
                state.draining = false
                defer { state.closeWaiters = [] }
                return .idle(state.closeWaiters)
            }
            // A power of two, so one cached statement inserts the whole batch (see
            // ArchiveInsertStatement); the rest join the next batch.
            let count = ArchiveInsertStatement.powerOfTwo(atMost: min(state.queue.count, maxBatch))
            let batch = state.queue.take(count)
            return .batch(items: batch.items, callers: batch.callers)
        }
    }

    /// Fails every queued append with `error` and stops draining; returns the close waiters.
    private func failQueued(_ error: any Error) -> [CheckedContinuation<Void, Never>] {
        let (failed, closeWaiters) = state.withLock { state in
            defer {
                state.closeWaiters = []
                state.draining = false
            }
            return (state.queue.take(state.queue.count).callers, state.closeWaiters)
        }
        failed.forEach { $0(.failure(error)) }
        return closeWaiters
    }

    /// Writes one batch in one IMMEDIATE transaction (`commitTurn` runs it with synchronous=FULL:
    /// durable across a power loss too), then has its callers resumed: only now may their
    /// messages be broadcast. A task resumes them, so the writer goes on with the next batch.
    private func commit(_ items: [ArchiveBatchInsert.Item], _ callers: [Caller], _ db: Database) {
        let outcome: Result<[Result<Int64, StoreError>], any Error>
        do {
            var results: [Result<Int64, StoreError>] = []
            try db.inTransaction(.immediate) {
                results = try ArchiveBatchInsert.insert(items, db)
                return .commit
            }
            outcome = .success(results)
        } catch {
            outcome = .failure(StoreError.wrapping(error))
        }
        Task {
            switch outcome {
            case .success(let results):
                for (caller, result) in zip(callers, results) {
                    caller(result.mapError { $0 as any Error })
                }
            case .failure(let error):
                callers.forEach { $0(.failure(error)) }
            }
        }
    }

    /// How long the writer keeps the connection while appends keep coming: long enough to commit
    /// a few full batches back to back, short enough that other writers barely wait.
    static let turnDuration = Duration.milliseconds(50)

    /// Gives the writer connection a page cache sized for the archive's working set (the FTS5
    /// segments being merged and the index tails every batch touches): sustained appends are
    /// faster than with SQLite's 2 MiB default. And checkpoints every 10,000 WAL pages
    /// (about 40 MB) instead of 1,000: pages rewritten batch after batch (index tails, FTS5
    /// segments merged away soon after) then reach the database file once instead of each
    /// time. Cheap to repeat: each only sets a field.
    private static func tuneConnection(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -\(writerCacheKiB)")
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(writerCheckpointPages)")
    }

    /// The writer connection's page cache, in KiB.
    static let writerCacheKiB = 65_536
    /// WAL pages after which a commit checkpoints.
    static let writerCheckpointPages = 10_000
}
