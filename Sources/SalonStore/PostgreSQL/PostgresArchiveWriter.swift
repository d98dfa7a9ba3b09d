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
    /// Batches of posts alone (`PostgresArchiveCommit.Prepared.standsAlone`) overlap this
    /// process's work and the database's: while one commits, the next is taken, its search
    /// vectors built on another connection and its statement encoded, and it is sent as soon as
    /// the one before has stored its rows, to wait in the database for that one's rooms' counter
    /// rows (so a room's sequences and archive order still follow its queue order). At most two
    /// are sent at once, and their callers are told in order. Any other batch is committed alone,
    /// once those sent before it are told.
    private func drain() async {
        var sent: [Sent] = []
        while true {
            let next: (batch: PostgresArchiveCommit.Prepared, waiters: [Waiter])
            if let taken = state.withLock({ $0.queue.take(maxBatch: maxBatch) }) {
                // Its vectors are built while what was sent commits; alone, the insert builds them.
                next = (await PostgresArchiveCommit.Prepared(taken.items, access, buildingVectors: !sent.isEmpty), taken.callers)
            } else if !sent.isEmpty {
                // Nothing waits yet: the callers of the oldest sent append again once told.
                await sent.removeFirst().told.value
                continue
            } else {
                switch state.withLock({ $0.queue.next(maxBatch: maxBatch) }) {
                case .idle(let closeWaiters):
                    closeWaiters.forEach { $0.resume() }
                    return
                case .batch(let items, let waiters):
                    next = (await PostgresArchiveCommit.Prepared(items, access, buildingVectors: false), waiters)
                }
            }
            guard next.batch.standsAlone else {
                for batch in sent { await batch.told.value }
                sent.removeAll()
                Self.tell(next.waiters, await commit(next.batch))
                continue
            }
            if sent.count == 2 { await sent.removeFirst().told.value }
            if let before = sent.last { await before.stored() }
            sent.append(Sent(next.batch, next.waiters, after: sent.last, writer: self))
        }
    }

    /// A batch of posts alone sent to commit.
    private struct Sent {
        /// Ends when its statement has stored its rows (holding its rooms' counter rows until
        /// it commits), or when its commit has ended.
        private let storedSignal: AsyncStream<Void>
        /// Ends when its callers are told, after those of the batch sent before it.
        let told: Task<Void, Never>

        init(_ batch: PostgresArchiveCommit.Prepared, _ waiters: [Waiter], after before: Sent?, writer: PostgresArchiveWriter) {
            let (stored, signal) = AsyncStream<Void>.makeStream()
            storedSignal = stored
            let toldBefore = before?.told
            told = Task {
                let outcome = await writer.commit(batch, executed: { signal.finish() })
                signal.finish()
                await toldBefore?.value
                PostgresArchiveWriter.tell(waiters, outcome)
            }
        }

        func stored() async {
            for await _ in storedSignal {}
        }
    }

    /// What a batch's commit comes to: each post's sequence or failure, or the batch's failure.
    private typealias Outcome = Result<[Result<Int64, StoreError>], any Error>

    /// Commits one batch; `executed` as `PostgresArchiveCommit.commit` calls it.
    private func commit(_ batch: PostgresArchiveCommit.Prepared, executed: @escaping @Sendable () -> Void = {}) async -> Outcome {
        let started = ContinuousClock.now
        let outcome: Outcome
        do {
            outcome = .success(try await PostgresArchiveCommit.commit(batch, access, executed: executed))
        } catch {
            let failure = PostgresAccess.storeError(error)
            // An outage is logged once by PostgresHealth, not once per batch it fails.
            let level: Logger.Level = (failure as? StoreError)?.kind == .unavailable ? .debug : .error
            access.logger.log(level: level, "archive group commit of \(batch.batch.count) appends failed, none acknowledged: \(failure)")
            outcome = .failure(failure)
        }
        commitObserver?(batch.batch.count, ContinuousClock.now - started)
        return outcome
    }

    /// Tells each waiter its result (a post its own, by its place among the batch's posts; a
    /// journal append whether the batch committed), then each sink once that its results of
    /// this batch are all told.
    private static func tell(_ waiters: [Waiter], _ outcome: Outcome) {
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
