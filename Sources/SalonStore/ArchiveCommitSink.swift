/// Who waits for many appends at once (a room's posts): told of each of them as its group
/// commit lands, on the writer's own thread, then once that the commit's results are all told,
/// so it hands the whole batch to its owner in one hop instead of one hop per message. Both
/// calls must only record and hand over: the writer commits its next batch after them.
public protocol ArchiveCommitSink: AnyObject, Sendable {
    /// The append marked `token` was archived as `sequence`, or failed.
    func committed(_ token: UInt64, _ result: Result<Int64, any Error>)
    /// Every result of one group commit for this sink has been told.
    func commitEnded()
}
