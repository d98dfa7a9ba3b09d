import ArgumentParser

/// `join`: N clients connect, authenticate and join one room, a limited number at a time, and
/// stay in it; total time, per-client time, failures (any error or timeout; counted, not fatal).
struct JoinScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join", abstract: "Clients joining one room: total time, per-client p50/p99, failures.")

    @OptionGroup var target: Target
    @OptionGroup var room: RoomOptions
    @Option(help: "Clients (accounts 1…N).") var clients = 1000
    @Option(help: "Clients connecting and joining at once.") var concurrency = 50
    @Option(help: "Seconds after which no more clients start (those left are reported as skipped).") var deadline: Double?
    @Flag(help: "Skip the untimed first login per account (it fills the client's SCRAM key cache).") var cold = false

    func validate() throws {
        guard clients >= 1, concurrency >= 1 else { throw ValidationError("need at least one client at a time") }
        if let deadline, !(deadline > 0 && deadline < 1e6) { throw ValidationError("--deadline must be positive") }
    }

    func run() async throws {
        let server = target.server
        if !cold { await target.warmKeyCache(accounts: clients, concurrency: concurrency) }
        let before = try server?.sample()
        let clientLoad = ProcessLoad()
        let stopwatch = Stopwatch()
        let stop = deadline.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        let entries = await Occupants.fill(target, room: room.jid(on: target), count: clients, concurrency: concurrency,
                                           deadline: stop) { DiscardInput() }
        let seconds = stopwatch.seconds
        let after = try server?.sample()

        var perClient = LatencyHistogram()
        for entry in entries where entry.channel != nil { perClient.record(nanoseconds: UInt64(entry.seconds * 1e9)) }
        let failures = entries.compactMap(\.failure)
        let skipped = entries.filter(\.skipped).count
        let joined = entries.count - failures.count - skipped
        let serverFields = Report.serverFields(before, after, per: joined, unit: "join")
        let clientFields = Report.clientFields(clientLoad, per: joined, unit: "join")
        Report.print("join", Report.format("%d of %d clients joined (%d at a time) in %.2f s, %d failed, %d skipped at the deadline; per client %@%@ [%@]",
                                           joined, clients, concurrency, seconds, failures.count, skipped, perClient.summary,
                                           serverFields.text + clientFields.text, target.label),
                     [("total_s", seconds), ("joined", Double(joined)), ("failures", Double(failures.count)), ("skipped", Double(skipped))]
                         + perClient.fields("client_") + serverFields.fields + clientFields.fields)
        Report.failures(failures)
        await Occupants.leave(entries)
    }
}
