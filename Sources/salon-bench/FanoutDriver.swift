import NIOCore

/// Sends the fan-out's messages and counts their deliveries. All the bench's connections share
/// one event loop and this object lives on it, so plain properties suffice: no locks.
final class FanoutDriver {
    struct Plan: Sendable {
        /// Messages to send at most.
        var messages: Int
        /// Stop sending after this long, if sooner.
        var sendingTime: TimeAmount?
        /// Messages in flight at most when sending as fast as possible.
        var window: Int
        /// Messages per second; nil sends as fast as the window allows.
        var rate: Double?
        /// Deliveries each message makes: every occupant, its sender included.
        var recipients: Int
        /// Give up when nothing arrives for this long.
        var stallTime: TimeAmount
        /// Give up when the run (sending and the deliveries still due) takes longer than this.
        var timeLimit: TimeAmount?
    }

    struct Outcome: Sendable {
        let sent: Int
        let delivered: Int
        /// From the first send to the last delivery.
        let seconds: Double
        let latencies: LatencyHistogram
        let failure: String?
    }

    private let loop: EventLoop
    private let message: StampedMessage
    private var senders: [Channel] = []
    private var unflushed: [Bool] = []
    private var plan: Plan?
    private var sent = 0
    private var delivered = 0
    private var latencies = LatencyHistogram()
    private var started = NIODeadline.now()
    private var lastDelivery = NIODeadline.now()
    private var promise: EventLoopPromise<Outcome>?
    private var watchdog: RepeatedTask?
    private var pacer: Scheduled<Void>?

    init(loop: EventLoop, message: StampedMessage) {
        self.loop = loop
        self.message = message
    }

    /// Sends round-robin from `senders` as `plan` says; completes once every message sent has
    /// reached every occupant, or with a failure when the run stalled or ran out of time.
    func run(_ plan: Plan, senders: [Channel]) -> EventLoopFuture<Outcome> {
        loop.preconditionInEventLoop()
        precondition(self.plan == nil && !senders.isEmpty)
        self.plan = plan
        self.senders = senders
        unflushed = Array(repeating: false, count: senders.count)
        (sent, delivered, latencies) = (0, 0, LatencyHistogram())
        started = .now()
        lastDelivery = started
        let promise = loop.makePromise(of: Outcome.self)
        self.promise = promise
        let this = NIOLoopBound(self, eventLoop: loop)
        watchdog = loop.scheduleRepeatedTask(initialDelay: .milliseconds(50), delay: .milliseconds(50)) { _ in
            this.value.watch()
        }
        if plan.rate == nil { pump() } else { sendDue() }
        return promise.futureResult
    }

    /// One message arrived somewhere, stamped when it was (meant to be) sent.
    func delivered(stampedAt stamp: UInt64) {
        guard let plan else { return }
        lastDelivery = .now()
        latencies.record(nanoseconds: lastDelivery.uptimeNanoseconds &- min(stamp, lastDelivery.uptimeNanoseconds))
        delivered += 1
        if delivered >= sent * plan.recipients, !maySend(plan, at: lastDelivery) { finish(nil) }
    }

    /// As fast as possible: tops the window up (called after each read).
    func pump() {
        guard let plan, plan.rate == nil else { return }
        let now = NIODeadline.now()
        while maySend(plan, at: now), sent * plan.recipients - delivered < plan.window * plan.recipients {
            send(stampedAt: now.uptimeNanoseconds)
        }
        flush()
    }

    func connectionLost() {
        if plan != nil { finish("a connection closed") }
    }

    private func maySend(_ plan: Plan, at now: NIODeadline) -> Bool {
        sent < plan.messages && plan.sendingTime.map { now - started < $0 } ?? true
    }

    /// At a fixed rate: sends what is due, each message stamped with when it was due (so a late
    /// send counts as latency: no coordinated omission), then sleeps until the next one is due.
    private func sendDue() {
        guard let plan, let rate = plan.rate else { return }
        let interval = 1e9 / rate
        let now = NIODeadline.now()
        let due = min(plan.messages, Int(Double((now - started).nanoseconds) / interval) + 1)
        while sent < due, maySend(plan, at: now) {
            send(stampedAt: started.uptimeNanoseconds + UInt64(Double(sent) * interval))
        }
        flush()
        guard maySend(plan, at: now) else { return }
        let this = NIOLoopBound(self, eventLoop: loop)
        pacer = loop.scheduleTask(deadline: started + .nanoseconds(Int64(Double(sent) * interval))) { this.value.sendDue() }
    }

    /// Ends the run when sending is over and nothing is due, or when it stalled or ran out of time.
    private func watch() {
        guard let plan else { return }
        let now = NIODeadline.now()
        if !maySend(plan, at: now), delivered >= sent * plan.recipients {
            finish(nil)
        } else if now - lastDelivery > plan.stallTime {
            finish("no delivery for \(plan.stallTime.nanoseconds / 1_000_000_000) s")
        } else if let limit = plan.timeLimit, now - started > limit {
            finish("not sustained: still \(sent * plan.recipients - delivered) deliveries due after \(limit.nanoseconds / 1_000_000_000) s")
        }
    }

    private func send(stampedAt stamp: UInt64) {
        let index = sent % senders.count
        let channel = senders[index]
        var buffer = channel.allocator.buffer(capacity: message.count)
        message.write(stampedAt: stamp, into: &buffer)
        channel.write(buffer, promise: nil)
        unflushed[index] = true
        sent += 1
    }

    private func flush() {
        for index in unflushed.indices where unflushed[index] {
            senders[index].flush()
            unflushed[index] = false
        }
    }

    private func finish(_ failure: String?) {
        watchdog?.cancel()
        watchdog = nil
        pacer?.cancel()
        pacer = nil
        let outcome = Outcome(sent: sent, delivered: delivered, seconds: Double((lastDelivery - started).nanoseconds) / 1e9,
                              latencies: latencies, failure: failure)
        plan = nil
        let promise = self.promise
        self.promise = nil
        promise?.succeed(outcome)
    }
}
