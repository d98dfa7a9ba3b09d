import NIOCore
import NIOPosix

/// Work bound for other event loops, gathered during a turn of the loop it comes from and sent
/// as one task per destination once the turn's queued work has run. A room's burst then crosses
/// to each other loop once and lands there as one burst — one wake-up, and one write per
/// session instead of one per message.
final class LoopCrossings: @unchecked Sendable {
    /// Where the work comes from; everything below is touched on this loop only.
    private let source: EventLoop
    private var outgoing: [(destination: EventLoop, work: [@Sendable () -> Void])] = []
    private var sendScheduled = false

    init(from source: EventLoop) {
        self.source = source
    }

    /// On `source`: runs `work` on `destination` after what this turn sends there before it.
    private func send(to destination: EventLoop, _ work: @escaping @Sendable () -> Void) {
        source.assertInEventLoop()
        if let index = outgoing.firstIndex(where: { $0.destination === destination }) {
            outgoing[index].work.append(work)
        } else {
            outgoing.append((destination, [work]))
        }
        if !sendScheduled {
            sendScheduled = true
            source.execute { self.sendAll() }
        }
    }

    private func sendAll() {
        sendScheduled = false
        let batches = outgoing
        outgoing.removeAll(keepingCapacity: true)
        for (destination, work) in batches {
            destination.execute { work.forEach { $0() } }
        }
    }
}

extension LoopCrossings {
    /// Runs `work` on `destination`: at once when already there; from another event loop, after
    /// everything that loop sent there earlier in its turn (so what one loop sends another keeps
    /// its order); from any other thread, as a plain task.
    static func run(on destination: EventLoop, _ work: @escaping @Sendable () -> Void) {
        if destination.inEventLoop { return work() }
        if let crossings = current {
            crossings.send(to: destination, work)
        } else {
            destination.execute(work)
        }
    }

    /// Sends, now, what the current loop's turn has gathered for other loops. For work about to
    /// leave the loop for another thread (an archive commit) whose deliveries would otherwise
    /// reach a destination before what this loop sent there first, still waiting for its turn's end.
    static func sendGathered() {
        guard MultiThreadedEventLoopGroup.currentEventLoop != nil else { return }
        perThread.currentValue?.sendAll()
    }

    /// The current event loop's crossings (made on first use), or nil off an event loop.
    private static var current: LoopCrossings? {
        if let crossings = perThread.currentValue { return crossings }
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return nil }
        let crossings = LoopCrossings(from: loop)
        perThread.currentValue = crossings
        return crossings
    }

    private static let perThread = ThreadSpecificVariable<LoopCrossings>()
}
