import Synchronization

/// What a listener has received on each peer's link (issue #21): the dialler names its link (an
/// epoch, one per run of its process) and how many of its frames were acknowledged; the
/// listener counts the frames it takes and acknowledges them, and on a new connection tells the
/// dialler its count, from which the dialler sends again what never arrived. A connection a
/// newer one took over delivers nothing more, so nothing arrives twice.
final class NodeLinkReceipts: Sendable {
    private struct Entry {
        var epoch: String
        var count: UInt64
        var connection: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var connections: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A connection from `node` for its link `epoch`, whose frames up to `acked` its dialler has
    /// had acknowledged: the count to answer with (what arrived before; for a link not known,
    /// `acked`) and the connection's number.
    func connected(node: String, epoch: String, acked: UInt64) -> (count: UInt64, connection: UInt64) {
        state.withLock { state in
            state.connections += 1
            var entry = state.entries[node] ?? Entry(epoch: epoch, count: acked, connection: 0)
            if entry.epoch != epoch || entry.count < acked { entry = Entry(epoch: epoch, count: acked, connection: 0) }
            entry.connection = state.connections
            state.entries[node] = entry
            return (entry.count, state.connections)
        }
    }

    /// Counts one frame that arrived on `connection`; nil when a newer connection of that peer
    /// took over (the frame is not to be delivered: the dialler sends it again there).
    func received(from node: String, on connection: UInt64) -> UInt64? {
        state.withLock { state in
            guard var entry = state.entries[node], entry.connection == connection else { return nil }
            entry.count += 1
            state.entries[node] = entry
            return entry.count
        }
    }
}
