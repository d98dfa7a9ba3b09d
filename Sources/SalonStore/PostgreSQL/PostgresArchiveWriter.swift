import Logging
import PersistentChat
import Synchronization

/// `ArchiveWriter` on PostgreSQL: appends queue up while the previous batch commits, and each
/// batch (at most `maxBatch` messages) is one transaction (`PostgresArchiveInsert`); callers are
/// told only after its COMMIT. One writer per node; several nodes may write the same rooms,
/// their sequences still unique and ordered per room. When the database cannot be reached the
/// batch fails as `unavailable` — nothing is acknowledged that was not committed — and the next
/// batch tries again on a fresh pooled connection. Compliance events (`journal`, a post's CHAT
/// event) commit in the batch's transaction (`PostgresArchiveCommit`).
///
/// Uploaded files a post carries are claimed in its batch's transaction. Accounts' archives
/// (`append(personal:)`) commit through `PostgresPersonalArchiveWriter`, in batches of their own.
public final class PostgresArchiveWriter: ArchiveWriter {
    private let access: PostgresAccess
    private let maxBatch: Int
    private let commitObserver: CommitObserver?
    private let state = Mutex(State())
    private let personal: PostgresPersonalArchiveWriter

    private enum Waiter {
        case closure(Caller)
        case sink(any ArchiveCommitSink, token: UInt64)
        case journal(JournalCaller)
    }

    private struct State {
        var queue = ArchiveWriterQueue<PostgresArchiveCommit.Pending, Waiter>()
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
        case .success(let item): enqueue(.room(item), .closure(completion))
        case .failure(let error): completion(.failure(error))
        }
    }

    public func append(_ message: StoredMessage, token: UInt64, sink: any ArchiveCommitSink) {
        switch Self.item(message) {
        case .success(let item):
            enqueue(.room(item), .sink(sink, token: token))
        case .failure(let error):
            sink.committed(token, .failure(error))
            sink.commitEnded()
        }
    }

    public func append(personal copies: [PersonalMessage], completion: @escaping PersonalCaller) {
        personal.append(copies, completion: completion)
    }

    public func journal(_ events: [ComplianceEvent], completion: @escaping JournalCaller) {
        do {
            try events.forEach { try $0.validate() }
        } catch {
            return completion(.failure(StoreError.wrapping(error)))
        }
        enqueue(.journal(events), .journal(completion))
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
            // Checked here, so an event no backend can store fails its post alone, not the batch.
            try message.compliance?.validate()
            return .success(ArchiveBatchInsert.Item(message: message, timestamp: try InputLimits.milliseconds(message.timestamp)))
        } catch {
            return .failure(StoreError.wrapping(error))
        }
    }

    private func enqueue(_ item: PostgresArchiveCommit.Pending, _ waiter: Waiter) {
        let outcome = state.withLock { $0.queue.admit(item, waiter, maxPending: SQLiteArchiveWriter.maxPending) }
        switch outcome {
        case .failure(let error):
            Self.tell([waiter], .failure(error))
        case .success(true):
            Task { await self.drain() }
        case .success(false):
            break
        }
    }

    /// Commits batches until the queue is empty; appends arriving meanwhile join the next batch.
    private func drain() async {
        while true {
            let items: [PostgresArchiveCommit.Pending], waiters: [Waiter]
            switch state.withLock({ $0.queue.next(maxBatch: maxBatch) }) {
            case .idle(let closeWaiters):
                closeWaiters.forEach { $0.resume() }
                return
            case .batch(let batch, let batchWaiters):
                (items, waiters) = (batch, batchWaiters)
            }
            let started = ContinuousClock.now
            let outcome: Result<[Result<Int64, StoreError>], any Error>
            do {
                outcome = .success(try await PostgresArchiveCommit.commit(items, access))
            } catch {
                let failure = PostgresAccess.storeError(error)
                // An outage is logged once by PostgresHealth, not once per batch it fails.
                let level: Logger.Level = (failure as? StoreError)?.kind == .unavailable ? .debug : .error
                access.logger.log(level: level, "archive group commit of \(items.count) appends failed, none acknowledged: \(failure)")
                outcome = .failure(failure)
            }
            commitObserver?(items.count, ContinuousClock.now - started)
            Self.tell(waiters, outcome)
        }
    }

    /// Tells each waiter its result (a post its own, by its place among the batch's posts; a
    /// journal append whether the batch committed), then each sink once that its results of
    /// this batch are all told.
    private static func tell(_ waiters: [Waiter], _ outcome: Result<[Result<Int64, StoreError>], any Error>) {
        var told: [any ArchiveCommitSink] = []
        var nextPost = 0
        func postResult() -> Result<Int64, any Error> {
            defer { nextPost += 1 }
            return outcome.flatMap { $0[nextPost].mapError { $0 as any Error } }
        }
        for waiter in waiters {
            switch waiter {
            case .closure(let caller):
                caller(postResult())
            case .sink(let sink, let token):
                sink.committed(token, postResult())
                if !told.contains(where: { $0 === sink }) { told.append(sink) }
            case .journal(let caller):
                caller(outcome.map { _ in () })
            }
        }
        for sink in told { sink.commitEnded() }
    }
}
