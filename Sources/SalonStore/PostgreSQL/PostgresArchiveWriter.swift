import Logging
import PersistentChat
import Synchronization

/// `ArchiveWriter` on PostgreSQL: appends queue up while the previous batch commits, and each
/// batch (at most `maxBatch` messages) is one transaction (`PostgresArchiveInsert`); callers are
/// told only after its COMMIT. One writer per node; several nodes may write the same rooms,
/// their sequences still unique and ordered per room. When the database cannot be reached the
/// batch fails as `unavailable` — nothing is acknowledged that was not committed — and the next
/// batch tries again on a fresh pooled connection.
///
/// Uploaded files a post carries are claimed in its batch's transaction. Accounts' archives
/// (`append(personal:)`) commit through `PostgresPersonalArchiveWriter`, in batches of their own.
///
/// Not on PostgreSQL yet: the compliance journal (`journal`, and posts carrying a CHAT event).
/// Those are refused at once, never acknowledged.
public final class PostgresArchiveWriter: ArchiveWriter {
    private let access: PostgresAccess
    private let maxBatch: Int
    private let commitObserver: CommitObserver?
    private let state = Mutex(State())
    private let personal: PostgresPersonalArchiveWriter

    private enum Waiter {
        case closure(Caller)
        case sink(any ArchiveCommitSink, token: UInt64)
    }

    private struct State {
        var queue = ArchiveWriterQueue<ArchiveBatchInsert.Item, Waiter>()
    }

    /// A batch holds at most `maxBatch` messages (clamped to 1…10 000).
    init(access: PostgresAccess, maxBatch: Int, commitObserver: CommitObserver?) {
        self.access = access
        self.maxBatch = min(max(maxBatch, 1), 10_000)
        self.commitObserver = commitObserver
        personal = PostgresPersonalArchiveWriter(access: access, maxBatch: self.maxBatch, commitObserver: commitObserver)
    }

    public func append(_ message: StoredMessage, completion: @escaping Caller) {
        switch Self.item(message) {
        case .success(let item): enqueue(item, .closure(completion))
        case .failure(let error): completion(.failure(error))
        }
    }

    public func append(_ message: StoredMessage, token: UInt64, sink: any ArchiveCommitSink) {
        switch Self.item(message) {
        case .success(let item):
            enqueue(item, .sink(sink, token: token))
        case .failure(let error):
            sink.committed(token, .failure(error))
            sink.commitEnded()
        }
    }

    public func append(personal copies: [PersonalMessage], completion: @escaping PersonalCaller) {
        personal.append(copies, completion: completion)
    }

    public func journal(_ events: [ComplianceEvent], completion: @escaping JournalCaller) {
        completion(.failure(StoreError(.other, "the compliance journal is not on PostgreSQL yet")))
    }

    public var isClosed: Bool { state.withLock { $0.queue.closed } }

    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.queue.close(continuation) }) { continuation.resume() }
        }
        await personal.close()
    }

    /// The message validated as SQLite's writer validates it, or why it is refused.
    private static func item(_ message: StoredMessage) -> Result<ArchiveBatchInsert.Item, any Error> {
        do {
            try message.validate()
            if message.compliance != nil {
                throw StoreError(.other, "the compliance journal is not on PostgreSQL yet")
            }
            return .success(ArchiveBatchInsert.Item(message: message, timestamp: try InputLimits.milliseconds(message.timestamp)))
        } catch {
            return .failure(StoreError.wrapping(error))
        }
    }

    private func enqueue(_ item: ArchiveBatchInsert.Item, _ waiter: Waiter) {
        let outcome = state.withLock { $0.queue.admit(item, waiter, maxPending: SQLiteArchiveWriter.maxPending) }
        switch outcome {
        case .failure(let error):
            Self.tell([waiter]) { _ in .failure(error) }
        case .success(true):
            Task { await self.drain() }
        case .success(false):
            break
        }
    }

    /// Commits batches until the queue is empty; appends arriving meanwhile join the next batch.
    private func drain() async {
        while true {
            let items: [ArchiveBatchInsert.Item], waiters: [Waiter]
            switch state.withLock({ $0.queue.next(maxBatch: maxBatch) }) {
            case .idle(let closeWaiters):
                closeWaiters.forEach { $0.resume() }
                return
            case .batch(let batch, let batchWaiters):
                (items, waiters) = (batch, batchWaiters)
            }
            let started = ContinuousClock.now
            let results: [Result<Int64, any Error>]
            do {
                results = try await PostgresArchiveInsert.insert(items, access).map { $0.mapError { $0 as any Error } }
            } catch {
                let failure = PostgresAccess.storeError(error)
                access.logger.error("archive group commit of \(items.count) messages failed, none acknowledged: \(failure)")
                results = items.map { _ in .failure(failure) }
            }
            commitObserver?(items.count, ContinuousClock.now - started)
            Self.tell(waiters) { results[$0] }
        }
    }

    /// Tells each waiter its result (by its index in the batch), then each sink once that its
    /// results of this batch are all told.
    private static func tell(_ waiters: [Waiter], _ result: (Int) -> Result<Int64, any Error>) {
        var told: [any ArchiveCommitSink] = []
        for (index, waiter) in waiters.enumerated() {
            switch waiter {
            case .closure(let caller):
                caller(result(index))
            case .sink(let sink, let token):
                sink.committed(token, result(index))
                if !told.contains(where: { $0 === sink }) { told.append(sink) }
            }
        }
        for sink in told { sink.commitEnded() }
    }
}
