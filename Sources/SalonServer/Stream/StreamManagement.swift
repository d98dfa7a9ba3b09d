import NIOCore
import XMPPCore

/// Bounds on what one stream-management session keeps for its client (XEP-0198).
struct StreamManagementLimits: Sendable {
    /// Stanzas sent and not yet acknowledged plus stanzas waiting for a detached session.
    var maxStanzas: Int
    /// The same stanzas' serialised size.
    var maxBytes: Int
}

/// One XEP-0198 session's state, touched only on the loop of the stream it belongs to; on
/// resumption it moves, whole, to the new stream's loop.
///
/// `sent` counts the stanzas written to the client (message, presence, iq — never nonzas,
/// never what a XEP-0352 inactive client has held back until it is written); `unacked` holds
/// exactly the last `sent &- acked` of them, so an ack is a count of entries to drop. While the
/// session is detached (or a resumption is being attached), what would be written waits in
/// `waiting` instead and is counted once it is written.
final class StreamManagement {
    /// A stanza as written (or to be written), and the stanza itself when it may need an answer
    /// if never acknowledged (room traffic and held presence are kept as bytes only: dropped).
    struct Outbound {
        let bytes: [UInt8]
        let element: XMLElement?
    }

    enum Acknowledgement: Equatable {
        case accepted(dropped: Int)
        /// The client acknowledged more than it was sent: `h` and the send count.
        case tooHigh(h: UInt32, sent: UInt32)
    }

    static let ns = "urn:xmpp:sm:3"

    /// The SM-ID, set when the client asked for resumption.
    let id: String?
    /// Seconds a detached session waits for its client.
    private(set) var resumeTimeout: Int
    let limits: StreamManagementLimits

    private(set) var sent: UInt32 = 0
    private(set) var acked: UInt32 = 0
    /// Stanzas received from the client since enable (the `h` this side reports).
    private(set) var handled: UInt32 = 0
    private(set) var unacked = CircularBuffer<Outbound>()
    private(set) var waiting = CircularBuffer<Outbound>()
    private var keptBytes = 0
    /// Whether deliveries wait in `waiting` rather than being written.
    private(set) var isQueueing = false
    /// An `<r/>` is on its way or scheduled and not yet answered.
    var requestOutstanding = false
    /// Called once for each stanza that waits for a detached session: the one place a push
    /// notification (XEP-0357) would be triggered.
    var onQueuedWhileDetached: ((Outbound) -> Void)?

    /// `counter` starts both counters elsewhere than zero (tests of the 2^32 wrap).
    init(id: String?, resumeTimeout: Int, limits: StreamManagementLimits, counter: UInt32 = 0) {
        sent = counter
        acked = counter
        self.id = id
        self.resumeTimeout = resumeTimeout
        self.limits = limits
    }

    /// A session's state as another cluster node handed it over: `queued` holds its unacked
    /// stanzas (the first `sent - acked`), then those waiting.
    static func restored(id: String, resumeTimeout: Int, limits: StreamManagementLimits, handled: UInt32, sent: UInt32, acked: UInt32,
                         queued: [Outbound]) -> StreamManagement {
        let state = StreamManagement(id: id, resumeTimeout: resumeTimeout, limits: limits, counter: acked)
        state.handled = handled
        let unacked = min(Int(sent &- acked), queued.count)
        for entry in queued.prefix(unacked) { _ = state.wrote(entry) }
        for entry in queued.dropFirst(unacked) { _ = state.queue(entry) }
        return state
    }

    var isResumable: Bool { id != nil }
    var isFull: Bool { unacked.count + waiting.count > limits.maxStanzas || keptBytes > limits.maxBytes }

    /// A stanza from the client was handled.
    func received() { handled &+= 1 }

    /// A stanza was written to the client. Returns false when the unacked queue is over its bound.
    func wrote(_ outbound: Outbound) -> Bool {
        sent &+= 1
        unacked.append(outbound)
        keptBytes += outbound.bytes.count
        return !isFull
    }

    /// `<a h='…'/>` or `<resume h='…'/>` from the client: drops what it has handled.
    func acknowledge(_ h: UInt32) -> Acknowledgement {
        let count = Int(h &- acked)
        guard count <= unacked.count else { return .tooHigh(h: h, sent: sent) }
        for _ in 0..<count {
            keptBytes -= unacked.removeFirst().bytes.count
        }
        acked = h
        return .accepted(dropped: count)
    }

    /// From now on deliveries wait (the connection is gone, or a resumption is being attached).
    func startQueueing() { isQueueing = true }

    /// Keeps a stanza for later. Returns false when the bound is exceeded.
    func queue(_ outbound: Outbound) -> Bool {
        waiting.append(outbound)
        keptBytes += outbound.bytes.count
        onQueuedWhileDetached?(outbound)
        return !isFull
    }

    /// Takes over the counters and queues of the session this stream resumes; what this
    /// (new) state queued while attaching goes after the old session's waiting stanzas.
    func adopt(_ previous: StreamManagement) {
        resumeTimeout = previous.resumeTimeout
        sent = previous.sent
        acked = previous.acked
        handled = previous.handled
        unacked = previous.unacked
        let arrived = waiting
        waiting = previous.waiting
        waiting.append(contentsOf: arrived)
        keptBytes = previous.keptBytes + arrived.reduce(0) { $0 + $1.bytes.count }
    }

    /// Stanzas to write after a resumption: the waiting ones; queueing stops.
    func takeWaiting() -> CircularBuffer<Outbound> {
        isQueueing = false
        onQueuedWhileDetached = nil
        let taken = waiting
        waiting.removeAll()
        keptBytes -= taken.reduce(0) { $0 + $1.bytes.count }
        return taken
    }

    /// Everything the client never acknowledged or never got, oldest first, when the session
    /// ends for good; the state is empty afterwards.
    func takeUnhandled() -> [Outbound] {
        let all = Array(unacked) + Array(waiting)
        unacked.removeAll()
        waiting.removeAll()
        keptBytes = 0
        isQueueing = false
        onQueuedWhileDetached = nil
        return all
    }

    /// Whether a stanza counts for XEP-0198 (`h` counts stanzas, not nonzas).
    static func isStanza(_ element: XMLElement) -> Bool {
        element.namespace == NS.client && (element.name == "message" || element.name == "presence" || element.name == "iq")
    }
}
