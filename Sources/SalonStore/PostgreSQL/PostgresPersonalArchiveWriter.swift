import Logging
import Synchronization

/// The personal half of `PostgresArchiveWriter`: accounts' appends queue up in call order while
/// the previous batch commits, and each batch is one transaction of its own
/// (`PostgresPersonalArchiveInsert`); callers are told only after its COMMIT. Its own
/// transaction rather than the rooms' group commit: a failure there must never cost room posts
/// their commit (SQLite gets that from a savepoint), and the rooms' commit stays its two
/// prepared statements; personal appends still share their commits with each other.
final class PostgresPersonalArchiveWriter: Sendable {
    private struct Item {
        let copies: [PersonalMessage]
        let timestamps: [Int64]
    }

    private let access: PostgresAccess
    private let maxBatch: Int
    private let commitObserver: ArchiveWriter.CommitObserver?
    private let state = Mutex(ArchiveWriterQueue<Item, ArchiveWriter.PersonalCaller>())

    init(access: PostgresAccess, maxBatch: Int, commitObserver: ArchiveWriter.CommitObserver?) {
        self.access = access
        self.maxBatch = maxBatch
        self.commitObserver = commitObserver
    }

    /// Queues one message's copies (validated as SQLite's writer validates them); `completion`
    /// learns which were kept once their transaction has committed, or the failure.
    func append(_ copies: [PersonalMessage], completion: @escaping ArchiveWriter.PersonalCaller) {
        let timestamps: [Int64]
        do {
            timestamps = try PersonalMessage.validated(copies)
        } catch {
            return completion(.failure(StoreError.wrapping(error)))
        }
        let outcome = state.withLock {
            $0.admit(Item(copies: copies, timestamps: timestamps), completion, maxPending: SQLiteArchiveWriter.maxPending)
        }
        switch outcome {
        case .failure(let error): completion(.failure(error))
        case .success(true): Task { await self.drain() }
        case .success(false): break
        }
    }

    /// Refuses further appends and returns once every pending one has committed (or failed).
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.close(continuation) }) { continuation.resume() }
        }
    }

    /// Commits batches until the queue is empty; appends arriving meanwhile join the next batch.
    private func drain() async {
        while true {
            let items: [Item], callers: [ArchiveWriter.PersonalCaller]
            switch state.withLock({ $0.next(maxBatch: maxBatch) }) {
            case .idle(let closeWaiters):
                closeWaiters.forEach { $0.resume() }
                return
            case .batch(let batch, let batchCallers):
                (items, callers) = (batch, batchCallers)
            }
            let started = ContinuousClock.now
            let results: [Result<[Bool], any Error>]
            do {
                let kept = try await PostgresPersonalArchiveInsert.insert(items.map(\.copies), timestamps: items.map(\.timestamps), access)
                results = kept.map { .success($0) }
            } catch {
                let failure = PostgresAccess.storeError(error)
                access.logger.error("personal archive commit of \(items.count) messages failed, none acknowledged: \(failure)")
                results = items.map { _ in .failure(failure) }
            }
            commitObserver?(items.count, ContinuousClock.now - started)
            for (caller, result) in zip(callers, results) { caller(result) }
        }
    }
}
