/// What both archive writers keep under their lock: the appends waiting, whether a drain is
/// under way, and who waits for `close`. Appends are admitted up to a bound and refused once
/// closed; the first admitted append of an idle writer starts a drain, which takes batches until
/// the queue is empty and then hands over the close waiters.
struct ArchiveWriterQueue<Item, Caller> {
    private var pending = ArchiveAppendQueue<Item, Caller>()
    private var draining = false
    private(set) var closed = false
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []

    enum Next {
        case batch(items: [Item], callers: [Caller])
        /// The queue is empty and the drain has ended: resume these `close` callers.
        case idle([CheckedContinuation<Void, Never>])
    }

    /// How many appends wait.
    var waiting: Int { pending.count }

    /// Queues an append: true when the caller must start draining, or why it is refused.
    mutating func admit(_ item: Item, _ caller: Caller, maxPending: Int) -> Result<Bool, StoreError> {
        if closed { return .failure(StoreError(.other, "the archive writer is closed")) }
        if pending.count >= maxPending {
            return .failure(StoreError(.busy, "too many archive appends are waiting"))
        }
        pending.append(item, caller)
        if draining { return .success(false) }
        draining = true
        return .success(true)
    }

    /// Refuses further appends. True when no drain is under way; otherwise the drain resumes
    /// `continuation` when it ends.
    mutating func close(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        closed = true
        guard draining else { return true }
        closeWaiters.append(continuation)
        return false
    }

    /// Everything waiting, up to `maxBatch`, or the end of the drain once nothing waits.
    mutating func next(maxBatch: Int) -> Next {
        guard let batch = take(maxBatch: maxBatch) else { return .idle(endDrain()) }
        return .batch(items: batch.items, callers: batch.callers)
    }

    /// Everything waiting, up to `maxBatch`, or nil when nothing waits; the drain goes on either
    /// way (for a writer with batches still committing, which ends it later through `next`).
    mutating func take(maxBatch: Int) -> (items: [Item], callers: [Caller])? {
        if pending.isEmpty { return nil }
        let batch = pending.take(min(pending.count, maxBatch))
        return (batch.items, batch.callers)
    }

    /// Takes every waiting caller (to fail them) and ends the drain.
    mutating func abandon() -> (callers: [Caller], closeWaiters: [CheckedContinuation<Void, Never>]) {
        let callers = pending.take(pending.count).callers
        return (callers, endDrain())
    }

    private mutating func endDrain() -> [CheckedContinuation<Void, Never>] {
        draining = false
        defer { closeWaiters = [] }
        return closeWaiters
    }
}
