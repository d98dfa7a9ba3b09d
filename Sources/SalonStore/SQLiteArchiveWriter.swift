import GRDB
import PersistentChat
import Synchronization

/// `ArchiveWriter` on SQLite, the single writer with group commit: appends from many rooms, and
/// accounts' 1:1 messages (`append(personal:)`), are gathered and committed together (one
/// transaction, one fsync) while the previous batch commits; each caller resumes only after the
/// transaction holding its message has committed (durable: synchronous=FULL or equivalent).
/// Thread-safe; one per database.
public final class SQLiteArchiveWriter: ArchiveWriter {
    /// The most appends waiting at once; beyond it appends fail as busy instead of piling up memory.
    public static let maxPending = 100_000

    private let access: StoreAccess
    private let maxBatch: Int
    private let state = Mutex(State())
    /// Told of every group commit: how many messages it held and how long it took.
    private let commitObserver: CommitObserver?

    /// A queued append of either kind, and who waits for it.
    private enum Pending: Sendable {
        case room(ArchiveBatchInsert.Item)
        case personal(PersonalArchiveInsert.Item, timestamps: [Int64])
        case journal([ComplianceEvent])

        var journalEntry: ArchiveJournalEntry {
            switch self {
            case .room(let item): .post(item.message.compliance)
            case .personal: .none
            case .journal(let events): .events(events)
            }
        }
    }
    private enum Waiter {
        case room(Caller)
        case sink(any ArchiveCommitSink, token: UInt64)
        case personal(PersonalCaller)
        case journal(JournalCaller)

        /// Whether a closure waits (resumed from a Task), rather than a sink.
        var isClosure: Bool {
            if case .sink = self { return false }
            return true
        }
    }

    private struct State {
        var queue = ArchiveWriterQueue<Pending, Waiter>()
        /// Whether the writer connection got its page cache and checkpoint interval.
        var tuned = false
        /// Room messages archived past the full-text index's mark (see ArchiveIndexCatchUp).
        var unindexed = 0
    }

    /// The batch bound when none is given: large enough to amortise a commit over a busy moment.
    public static let defaultMaxBatch = 1024

    /// Creates the writer of `database`; a batch holds at most `maxBatch` messages (clamped to 1…10 000).
    public init(database: SalonDatabase, maxBatch: Int = defaultMaxBatch, commitObserver: CommitObserver? = nil) {
        access = StoreAccess(writer: database.writer)
        self.maxBatch = min(max(maxBatch, 1), 10_000)
        self.commitObserver = commitObserver
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
        enqueue(.room(item), .room(completion)) { completion(.failure($0)) }
    }

    /// Queues `message` as `append(_:completion:)` does, and tells `sink` its result, marked
    /// `token`, on the writer's thread once its transaction has committed, followed by
    /// `commitEnded` for the whole group commit (see ArchiveCommitSink).
    public func append(_ message: StoredMessage, token: UInt64, sink: any ArchiveCommitSink) {
        let item: ArchiveBatchInsert.Item
        do {
            try message.validate()
            item = ArchiveBatchInsert.Item(message: message, timestamp: try InputLimits.milliseconds(message.timestamp))
        } catch {
            sink.committed(token, Result<Int64, any Error>.failure(StoreError.wrapping(error)))
            return sink.commitEnded()
        }
        enqueue(.room(item), .sink(sink, token: token)) {
            sink.committed(token, Result<Int64, any Error>.failure(StoreError.wrapping($0)))
            sink.commitEnded()
        }
    }

    /// Archives the copies of one 1:1 message (the sender's and the recipient's, each for its
    /// owner's archive) in one transaction, as `append(_:completion:)` does for rooms; tells
    /// `completion` which copies were kept. Appends are queued in call order.
    public func append(personal copies: [PersonalMessage], completion: @escaping PersonalCaller) {
        let timestamps: [Int64]
        do {
            timestamps = try PersonalMessage.validated(copies)
        } catch {
            return completion(.failure(error))
        }
        enqueue(.personal(copies, timestamps: timestamps), .personal(completion)) { completion(.failure($0)) }
    }

    /// Appends compliance events to the journal in the next group commit (with the posts
    /// queued before them) and calls `completion` once committed.
    public func journal(_ events: [ComplianceEvent], completion: @escaping JournalCaller) {
        do {
            for event in events { try event.validate() }
        } catch {
            return completion(.failure(error))
        }
        enqueue(.journal(events), .journal(completion)) { completion(.failure($0)) }
    }

    private func enqueue(_ item: Pending, _ waiter: Waiter, failing: (any Error) -> Void) {
        let outcome = state.withLock { $0.queue.admit(item, waiter, maxPending: Self.maxPending) }
        switch outcome {
        case .failure(let error):
            failing(error)
        case .success(let startDraining):
            if startDraining {
                Task { await self.drain() }
            }
        }
    }

    /// Whether `close` was called: appends now fail.
    public var isClosed: Bool { state.withLock { $0.queue.closed } }

    /// Refuses further appends and returns once every pending one has committed (or failed).
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.queue.close(continuation) }) { continuation.resume() }
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
    /// just resumed); after a commit, a few waiting appends wait a moment for company
    /// (`CommitGathering`). A turn ends after `turnDuration` so other writers get the
    /// connection; returns the close waiters once the queue is empty, nil when the turn ended
    /// first.
    private func commitTurn(_ db: Database) throws -> [CheckedContinuation<Void, Never>]? {
        try db.withFullSync {
            if !state.withLock({ $0.tuned }) {
                try Self.tuneConnection(db)
                let backlog = try ArchiveIndexCatchUp.backlog(db)
                state.withLock {
                    $0.tuned = true
                    $0.unindexed = backlog
                }
            }
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: Self.turnDuration)
            var committed = false
            repeat {
                if committed { CommitGathering.gather { state.withLock { $0.queue.waiting } } }
                switch nextBatch() {
                case .batch(let items, let callers):
                    commit(items, callers, db)
                    committed = true
                case .idle(let closeWaiters): return closeWaiters
                }
            } while clock.now < deadline
            return nil
        }
    }

    /// Takes the next batch off the queue, or stops draining when it is empty.
    private func nextBatch() -> ArchiveWriterQueue<Pending, Waiter>.Next {
        // Everything waiting, up to maxBatch, in one transaction: each commit costs an fsync
        // and rewrites the pages every batch touches (index tails, counters), whatever its
        // size. ArchiveInsertStatement inserts it in power-of-two chunks.
        state.withLock { $0.queue.next(maxBatch: maxBatch) }
    }

    /// Fails every queued append with `error` and stops draining; returns the close waiters.
    private func failQueued(_ error: any Error) -> [CheckedContinuation<Void, Never>] {
        let (failed, closeWaiters) = state.withLock { $0.queue.abandon() }
        Self.tellSinks(failed) { _ in .failure(StoreError.wrapping(error)) }
        failed.forEach { Self.fail($0, error) }
        return closeWaiters
    }

    /// Writes one batch in one IMMEDIATE transaction (`commitTurn` runs it with synchronous=FULL:
    /// durable across a power loss too), then has its callers resumed: only now may their
    /// messages be broadcast or delivered. A task resumes them, so the writer goes on with the
    /// next batch. Personal messages are written in a savepoint of their own: a failure there
    /// fails them, never the rooms' posts.
    private func commit(_ items: [Pending], _ callers: [Waiter], _ db: Database) {
        var roomItems: [ArchiveBatchInsert.Item] = []
        var personalItems: [PersonalArchiveInsert.Item] = []
        var personalTimestamps: [[Int64]] = []
        var journaled = false
        for item in items {
            switch item {
            case .room(let room):
                roomItems.append(room)
                if room.message.compliance != nil { journaled = true }
            case .personal(let copies, let timestamps):
                personalItems.append(copies)
                personalTimestamps.append(timestamps)
            case .journal:
                journaled = true
            }
        }
        let outcome: Result<([Result<Int64, StoreError>], Result<[[Bool]], any Error>), any Error>
        let started = ContinuousClock.now
        do {
            var roomResults: [Result<Int64, StoreError>] = []
            var personalResults: Result<[[Bool]], any Error> = .success([])
            try db.inTransaction(.immediate) {
                if !roomItems.isEmpty {
                    roomResults = try ArchiveBatchInsert.insert(roomItems, db)
                    try indexIfBehind(adding: roomResults.count, db)
                }
                if journaled { try Self.journal(items, roomResults: roomResults, db) }
                if !personalItems.isEmpty {
                    do {
                        try db.inSavepoint {
                            personalResults = .success(try PersonalArchiveInsert.insert(personalItems, timestamps: personalTimestamps, db))
                            return .commit
                        }
                    } catch {
                        personalResults = .failure(StoreError.wrapping(error))
                    }
                }
                return .commit
            }
            outcome = .success((roomResults, personalResults))
        } catch {
            outcome = .failure(StoreError.wrapping(error))
        }
        // Before the callers resume: what they see done is already counted.
        commitObserver?(items.count, ContinuousClock.now - started)
        // Rooms' sinks are told here, before the next batch: recording a result is cheap, and
        // a Task would add a hop (and its wait for a thread) to every post's latency.
        switch outcome {
        case .success(let (roomResults, _)):
            Self.tellSinks(callers) { roomResults[$0].mapError { $0 as any Error } }
        case .failure(let error):
            let failure = StoreError.wrapping(error)
            Self.tellSinks(callers) { _ in .failure(failure) }
        }
        guard callers.contains(where: \.isClosure) else { return }
        Task {
            switch outcome {
            case .success(let (roomResults, personalResults)):
                var nextRoom = 0
                var nextPersonal = 0
                for caller in callers {
                    switch caller {
                    case .room(let caller):
                        caller(roomResults[nextRoom].mapError { $0 as any Error })
                        nextRoom += 1
                    case .sink:
                        nextRoom += 1
                    case .personal(let caller):
                        caller(personalResults.map { $0[nextPersonal] })
                        nextPersonal += 1
                    case .journal(let caller):
                        caller(.success(()))
                    }
                }
            case .failure(let error):
                callers.forEach { Self.fail($0, error) }
            }
        }
    }

    /// Counts `archived` rows as unindexed and, once `ArchiveIndexCatchUp.writerThreshold` have
    /// gathered, indexes them (at most `writerRunRows`) in this group commit: one FTS5 segment
    /// for many commits. In a savepoint: if indexing fails the posts still commit, and a later
    /// batch or search retries.
    private func indexIfBehind(adding archived: Int, _ db: Database) throws {
        let due = state.withLock { state in
            state.unindexed += archived
            return state.unindexed >= ArchiveIndexCatchUp.writerThreshold
        }
        guard due else { return }
        do {
            try db.inSavepoint {
                try ArchiveIndexCatchUp.indexTail(limit: ArchiveIndexCatchUp.writerRunRows, db)
                return .commit
            }
            state.withLock { $0.unindexed = max(0, $0.unindexed - ArchiveIndexCatchUp.writerRunRows) }
        } catch {
            // Retried after another threshold's worth of posts; searches catch up themselves.
            state.withLock { $0.unindexed = 0 }
        }
    }

    /// Tells each sink among `waiters` its results (`result` of the room append's index among
    /// the room appends), then that the batch ended, once per sink.
    private static func tellSinks(_ waiters: [Waiter], _ result: (Int) -> Result<Int64, any Error>) {
        var nextRoom = 0
        var told: [any ArchiveCommitSink] = []
        for waiter in waiters {
            switch waiter {
            case .room:
                nextRoom += 1
            case .sink(let sink, let token):
                sink.committed(token, result(nextRoom))
                nextRoom += 1
                if !told.contains(where: { $0 === sink }) { told.append(sink) }
            case .personal, .journal:
                break
            }
        }
        for sink in told { sink.commitEnded() }
    }

    private static func fail(_ waiter: Waiter, _ error: any Error) {
        switch waiter {
        case .sink: break  // told by tellSinks
        case .room(let caller): caller(.failure(error))
        case .personal(let caller): caller(.failure(error))
        case .journal(let caller): caller(.failure(error))
        }
    }

    /// Journals the batch's events (`ArchiveJournalEntry`). In the batch's transaction: a
    /// failure here fails the whole batch, so a post is never seen without its event.
    private static func journal(_ items: [Pending], roomResults: [Result<Int64, StoreError>], _ db: Database) throws {
        try ComplianceJournalInsert.insert(ArchiveJournalEntry.events(items.lazy.map(\.journalEntry), postResults: roomResults), db)
    }

    /// How long the writer keeps the connection while appends keep coming: long enough to commit
    /// a few full batches back to back, short enough that other writers barely wait.
    static let turnDuration = Duration.milliseconds(50)

    /// Gives the writer connection a page cache sized for the archive's working set (the FTS5
    /// segments being merged and the index tails every batch touches): sustained appends are
    /// faster than with SQLite's 2 MiB default. And checkpoints every 10,000 WAL pages
    /// (about 40 MB) instead of 1,000: pages rewritten batch after batch (index tails, FTS5
    /// segments merged away soon after) then reach the database file once instead of each
    /// time. Once per writer: both stay set on the connection.
    private static func tuneConnection(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -\(writerCacheKiB)")
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(writerCheckpointPages)")
    }

    /// The writer connection's page cache, in KiB.
    static let writerCacheKiB = 65_536
    /// WAL pages after which a commit checkpoints.
    static let writerCheckpointPages = 10_000
}

