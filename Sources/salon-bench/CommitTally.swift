import Synchronization

/// The archive writer's group commits during a fill: how many, how big, and how long each
/// took from its start to its end (the writer's `CommitObserver`).
final class CommitTally: Sendable {
    private let state = Mutex((commits: 0, messages: 0, seconds: 0.0))

    var record: @Sendable (Int, Duration) -> Void {
        { [self] messages, duration in
            state.withLock {
                $0.commits += 1
                $0.messages += messages
                $0.seconds += Stopwatch.seconds(duration)
            }
        }
    }

    var summary: String {
        let (commits, messages, seconds) = state.withLock { $0 }
        guard commits > 0 else { return "group commits: none" }
        return "group commits: \(commits), \(messages / commits) messages and "
            + String(format: "%.1f ms each on average", seconds * 1000 / Double(commits))
    }
}
