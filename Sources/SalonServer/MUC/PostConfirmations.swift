import NIOCore
import SalonStore
import Synchronization

/// A room's archive commits, gathered on the archive writer's thread and handed to the room's
/// loop once per group commit: the room then broadcasts the whole batch in one turn of its
/// loop (one write per occupant's stream), instead of one hop and one turn per post.
final class PostConfirmations: ArchiveCommitSink {
    /// A post's ordinal (see `UnconfirmedPost.ordinal`) and its commit's outcome.
    typealias Result = (ordinal: UInt64, outcome: Swift.Result<Int64, any Error>)

    private let loop: EventLoop
    private let apply: @Sendable ([Result]) -> Void
    private let received = Mutex<[Result]>([])

    /// `apply` runs on `loop` with the outcomes of one or more group commits, oldest first.
    init(loop: EventLoop, apply: @escaping @Sendable ([Result]) -> Void) {
        self.loop = loop
        self.apply = apply
    }

    func committed(_ token: UInt64, _ result: Swift.Result<Int64, any Error>) {
        received.withLock { $0.append((token, result)) }
    }

    func commitEnded() {
        let apply = apply
        loop.execute { [self] in
            let results = received.withLock { received in
                defer { received.removeAll(keepingCapacity: true) }
                return received
            }
            // An earlier hop may have taken these results already.
            if !results.isEmpty { apply(results) }
        }
    }
}
