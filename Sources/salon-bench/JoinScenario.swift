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

    func validate() throws {
        guard clients >= 1, concurrency >= 1 else { throw ValidationError("need at least one client at a time") }
    }

    func run() async throws {
        let server = target.server
        let before = try server?.sample()
        let stopwatch = Stopwatch()
        let entries = await Occupants.fill(target, room: room.jid(on: target), count: clients, concurrency: concurrency) { DiscardInput() }
        let seconds = stopwatch.seconds
        let after = try server?.sample()

        var perClient = LatencyHistogram()
        for entry in entries where entry.failure == nil { perClient.record(nanoseconds: UInt64(entry.seconds * 1e9)) }
        let failures = entries.compactMap(\.failure)
        let joined = entries.count - failures.count
        let serverFields = Report.serverFields(before, after, per: joined, unit: "join")
        Report.print("join", Report.format("%d clients (%d at a time) in %.2f s, %d failed; per client %@%@ [%@]",
                                           clients, concurrency, seconds, failures.count, perClient.summary, serverFields.text, target.label),
                     [("total_s", seconds), ("joined", Double(joined)), ("failures", Double(failures.count))]
                         + perClient.fields("client_") + serverFields.fields)
        for (failure, count) in Dictionary(grouping: failures, by: { $0 }).mapValues(\.count).sorted(by: { $0.value > $1.value }).prefix(5) {
            print("  \(count) × \(failure)")
        }
        await Occupants.leave(entries)
    }
}
