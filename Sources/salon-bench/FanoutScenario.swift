import ArgumentParser
import NIOCore
import SalonClient

/// `fanout`: occupants in one room, senders posting groupchat messages as fast as a window of
/// messages in flight allows or at a fixed rate; delivered stanzas per second, send → receive
/// latency, and the server's CPU time per delivered stanza.
struct FanoutScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout", abstract: "Groupchat fan-out: deliveries/s, latency, server CPU per delivered stanza.")

    @OptionGroup var target: Target
    @OptionGroup var room: RoomOptions
    @Option(help: "Occupants that only receive (accounts 1…N).") var occupants = 20
    @Option(help: "Occupants that also send (the next accounts).") var senders = 1
    @Option(help: "Messages in the measured phase (default 20000, or unbounded with --duration).") var messages: Int?
    @Option(help: "Seconds of sending in the measured phase (then the deliveries still due are awaited).") var duration: Double?
    @Option(help: "Seconds the measured phase may take in all before it counts as not sustained.") var timeLimit: Double?
    @Option(help: "Messages sent before it, not measured.") var warmup = 2_000
    @Option(help: "Messages in flight at most, when sending as fast as possible.") var window = 50
    @Option(help: "Messages per second in all (default: as fast as the window allows).") var rate: Double?
    @Option(help: "Connections joining at once while the room fills.") var concurrency = 20
    @Option(help: "Seconds without a delivery before a run is given up.") var stall: Int64 = 15
    @Option(help: "Seconds after which no more occupants start joining (the run then did not finish).") var joinDeadline: Double?
    @Option(help: "After the run, one more account joins asking for this many history messages (timed).") var lateJoinHistory: Int?

    func validate() throws {
        guard occupants >= 0, senders >= 1, messages ?? 1 >= 1, warmup >= 0, window >= 1, concurrency >= 1, stall >= 1,
              lateJoinHistory ?? 0 >= 0 else {
            throw ValidationError("need at least one sender, one message and a window of one")
        }
        for (name, value) in [("--rate", rate), ("--duration", duration), ("--time-limit", timeLimit), ("--join-deadline", joinDeadline)] {
            if let value, !(value > 0 && value < 1e6) { throw ValidationError("\(name) must be positive") }
        }
    }

    func run() async throws {
        FileLimit.raiseToHard()
        let roomJID = room.jid(on: target)
        let loop = XMPPClient.sharedGroup.next()
        let driver = try await loop.submit { NIOLoopBound(FanoutDriver(loop: loop, message: StampedMessage(room: roomJID)), eventLoop: loop) }.get()
        let stop = joinDeadline.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        let entries = await Occupants.fill(target, room: roomJID, count: occupants + senders, concurrency: concurrency, deadline: stop) {
            DeliveryCounter(driver: driver.value)
        }
        do {
            try await measure(entries, loop: loop, driver: driver)
        } catch {
            await Occupants.leave(entries)
            throw error
        }
        await Occupants.leave(entries)
    }

    /// A warm-up run, a pause, then the measured run between two samples of the server.
    private func measure(_ entries: [Occupants.Entry], loop: EventLoop, driver: NIOLoopBound<FanoutDriver>) async throws {
        let skipped = entries.filter(\.skipped).count
        if skipped > 0 {
            let joined = entries.filter { $0.channel != nil }.count
            Report.print("fanout", "did not finish: \(joined) of \(entries.count) occupants joined by the \(joinDeadline ?? 0) s deadline",
                         [("joined", Double(joined)), ("skipped", Double(skipped)), ("did_not_finish", 1)])
            throw BenchError("the room did not fill by the join deadline")
        }
        if let failed = entries.first(where: { $0.failure != nil })?.failure {
            throw BenchError("\(entries.filter { $0.failure != nil }.count) of \(entries.count) could not join: \(failed)")
        }
        let sending = entries.suffix(senders).compactMap(\.channel)
        @Sendable func seconds(_ value: Double?) -> TimeAmount? { value.map { .nanoseconds(Int64($0 * 1e9)) } }
        @Sendable func drive(_ messages: Int, sendingTime: Double? = nil, timeLimit: Double? = nil) async throws -> FanoutDriver.Outcome {
            let plan = FanoutDriver.Plan(messages: messages, sendingTime: seconds(sendingTime), window: window, rate: rate,
                                         recipients: entries.count, stallTime: .seconds(stall), timeLimit: seconds(timeLimit))
            return try await loop.flatSubmit { driver.value.run(plan, senders: sending) }.get()
        }
        if warmup > 0, let failure = try await drive(warmup).failure {
            throw BenchError("warm-up: \(failure)")
        }
        // Let the server finish what the joins and the warm-up left behind.
        try await Task.sleep(for: .seconds(1))

        let server = target.server
        let before = try server?.sample()
        let outcome = try await drive(messages ?? (duration == nil ? 20_000 : .max), sendingTime: duration, timeLimit: timeLimit)
        let after = try server?.sample()
        var late: LateJoin.Outcome?
        if outcome.failure == nil, let history = lateJoinHistory {
            late = try await LateJoin.measure(target, account: occupants + senders + 1, room: room.jid(on: target), history: history)
        }
        report(outcome, expected: outcome.sent * entries.count, before: before, after: after, late: late)
        if let failure = outcome.failure { throw BenchError(failure) }
    }

    private func report(_ outcome: FanoutDriver.Outcome, expected: Int, before: ServerProcess.Sample?, after: ServerProcess.Sample?,
                        late: LateJoin.Outcome?) {
        let perSecond = Double(outcome.delivered) / max(outcome.seconds, 1e-9)
        let server = Report.serverFields(before, after, per: outcome.delivered, unit: "delivery")
        let lateText = late.map { Report.format("; occupant %d joined in %.1f ms with %d history messages", occupants + senders + 1,
                                                $0.milliseconds, $0.historyMessages) } ?? ""
        let lateFields = late.map { [("late_join_ms", $0.milliseconds), ("late_history", Double($0.historyMessages))] } ?? []
        let pace = rate.map { Report.format("%.0f msg/s", $0) } ?? "window \(window)"
        Report.print("fanout", Report.format(
            "%d occupants + %d senders, %d messages (%@) → %d of %d deliveries in %.2f s = %.0f deliveries/s; latency %@%@%@ [%@]%@",
            occupants, senders, outcome.sent, pace, outcome.delivered, expected, outcome.seconds, perSecond,
            outcome.latencies.summary, server.text, lateText, target.label, outcome.failure.map { " FAILED: \($0)" } ?? ""),
            [("deliveries_per_s", perSecond), ("delivered", Double(outcome.delivered)), ("expected", Double(expected))]
                + outcome.latencies.fields("latency_") + server.fields + lateFields)
    }
}
