import Glibc

/// How the SQLite archive writer gathers a batch right after a commit. Every commit costs an
/// fsync and rewrites the pages all batches touch (index tails, counters, the table's last
/// leaf), whatever its size. Under steady traffic the posts that arrive while a commit runs are
/// often few, because the rest are on their way back from being broadcast, so back-to-back
/// commits stay small and each pays that cost for a handful of posts. Waiting a moment for
/// more, at most `limit`, only when something already waits and the previous commit has just
/// ended, makes the batches larger and, by the same token, the broadcasts after them: fewer
/// commits and fewer socket writes per post, for a wait far below what a person notices.
/// An idle writer never waits: a post that finds it idle is committed at once.
enum CommitGathering {
    /// Enough appends that waiting for more would save little.
    static let target = 32
    /// How long the writer sleeps before looking again.
    static let slice = Duration.microseconds(100)
    /// The longest a batch waits for company.
    static let limit = Duration.microseconds(500)

    /// Whether to wait another slice, with `waiting` appends queued after `waited`.
    static func shouldWait(waiting: Int, waited: Duration) -> Bool {
        waiting > 0 && waiting < target && waited < limit
    }

    /// Sleeps slice by slice while `shouldWait` says so, reading the queue's length with `waiting`.
    static func gather(waiting: () -> Int) {
        var waited = Duration.zero
        while shouldWait(waiting: waiting(), waited: waited) {
            sleep(slice)
            waited += slice
        }
    }

    private static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}
