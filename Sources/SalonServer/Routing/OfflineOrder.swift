import Synchronization
import XMPPCore

/// Offline storage for each account in the order messages were routed to it. A message for an
/// account with no available resource may reach storage by different paths — routed after its
/// archive commit, or handed back by a closing stream — so each write starts when it is routed
/// (whether or not anyone awaits it) and waits for the one routed before it for that account.
final class OfflineOrder: Sendable {
    private struct Tail {
        let number: UInt64
        let task: Task<Void, Never>
    }

    private let state = Mutex<(next: UInt64, tails: [JID: Tail])>((0, [:]))
    /// For tests: told the account each time delivery starts waiting for its queued writes.
    let waitObserver = Mutex<(@Sendable (JID) -> Void)?>(nil)

    /// Starts `work` after the work queued earlier for `owner`; the follow-up awaits it.
    func enqueue(for owner: JID, _ work: @escaping @Sendable () async -> Void) -> RoutingFollowup {
        let task = state.withLock { state -> Task<Void, Never> in
            let previous = state.tails[owner]?.task
            let number = state.next
            state.next += 1
            // Holds `self` until the write is done (the cycle through `tails` ends with it). A
            // weak capture would leave the object a weak-reference side table, which
            // LeakSanitizer reports as leaked once the task is gone (docs/FUZZING.md).
            let task = Task {
                await previous?.value
                await work()
                self.finished(owner, number)
            }
            state.tails[owner] = Tail(number: number, task: task)
            return task
        }
        return { await task.value }
    }

    /// Returns once the writes already queued for `owner` are done: offline delivery at login
    /// drains the queue after them, or a message routed just before the login would be stored
    /// after the drain and wait for the next one.
    func queuedWrites(of owner: JID) async {
        let tail = state.withLock { $0.tails[owner]?.task }
        waitObserver.withLock { $0 }?(owner)
        await tail?.value
    }

    /// Forgets the account's tail once its last queued write is done.
    private func finished(_ owner: JID, _ number: UInt64) {
        state.withLock { state in
            if state.tails[owner]?.number == number { state.tails[owner] = nil }
        }
    }
}
