import ArgumentParser
import Foundation
import SalonStore

/// `archive`: fills one room's archive through ArchiveWriter with concurrent producers, then
/// measures last-page and full-text queries (default 1,000,000 messages with time-ordered
/// stanza-ids, as `StoredMessage.newStanzaID()` makes). The messages are built before the clock
/// starts (the server has each one serialized before it archives it), so the rate is the
/// archive's: validation, queueing, group commits and resuming the appenders. Works in a
/// temporary directory it deletes; stops by itself.
struct ArchiveScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "Archive insert rate with its search index (SQLite, or PostgreSQL with --postgresql), then last-page and full-text query latencies.")

    @Option(help: "Messages to insert (at least \(ArchiveScenario.producers)).") var messages = 1_000_000
    @Flag(help: "Random (v4) stanza-ids instead of time-ordered ones.") var randomIDs = false
    @Flag(help: "Measure the inserts only (no queries, no size), e.g. under a profiler.") var insertOnly = false
    @Option(help: "Run on PostgreSQL at this URL instead of SQLite (a throw-away database: the messages stay there).")
    var postgresql: String?

    static let room = "bench"
    /// Concurrent appenders: the server has one per busy room or session; more waiting appends make bigger batches.
    static let producers = 2000
    static let queries = 1000
    static let minimumQueries = 100
    static let phaseSeconds = 30.0

    func run() async throws {
        let room = Self.room, producers = Self.producers
        let total = min(max(messages, producers), 10_000_000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("salon-archive-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database: any StoreBackend
        if let postgresql {
            let configuration = try PostgresConfiguration(url: postgresql)
            database = try await PostgresBackend.open(configuration)
            print("PostgreSQL at \(configuration); ", terminator: "")
        } else {
            database = try SalonDatabase(directory: directory)
            print("SQLite \(SQLiteLibrary.version) in \(directory); ", terminator: "")
        }
        print("\(total) messages, \(producers) concurrent producers, \(randomIDs ? "random" : "time-ordered") stanza-ids")

        let building = Stopwatch()
        let messages = Self.build(total: total, randomIDs: randomIDs)
        print(String(format: "built %d messages in %.1f s (not timed)", messages.count, building.seconds))

        let load = ProcessLoad()
        let commits = CommitTally()
        let insertSeconds = try await Self.fill(database, messages: messages, commits: commits)
        let cpu = load.cpuSeconds()
        Self.line(String(format: "insert: %.1f s, %.0f messages/s (with the search index, durable group commits); "
                     + "process CPU %.1f µs/message; load average %@ → %@",
                     insertSeconds, Double(total) / insertSeconds, cpu * 1e6 / Double(total), load.average, ProcessLoad.loadAverage()))
        Self.line(commits.summary)

        if insertOnly {
            try await Self.shutdown(database)
            return
        }
        if let postgresql = database as? PostgresBackend {
            // What autovacuum does within a minute of a bulk load: the searches below are planned
            // for the archive as it now is.
            try await postgresql.analyze()
        }
        let archive = database.archive
        _ = try await Self.measure("last page (50)") { _ in
            var query = ArchiveQuery(rooms: [room])
            query.before = ""
            return try await archive.query(query).messages.count
        }
        _ = try await Self.measure("fulltext rare term, last page") { index in
            var query = ArchiveQuery(rooms: [room])
            query.text = TextFilter(BenchText.rareWords[index % BenchText.rareWords.count])
            query.before = ""
            return try await archive.query(query).count
        }
        _ = try await Self.measure("fulltext common term, last page") { index in
            var query = ArchiveQuery(rooms: [room])
            query.text = TextFilter(BenchText.commonWords[index % BenchText.commonWords.count])
            query.before = ""
            return try await archive.query(query).count
        }

        // Closing the last connection checkpoints the WAL into the file and removes it.
        try await Self.shutdown(database)
        guard postgresql == nil else { return }
        let bytes = try FileManager.default.attributesOfItem(atPath: directory + "/" + SalonDatabase.fileName)[.size] as? Int ?? 0
        print(String(format: "database: %.1f MB, %.0f bytes per message (including FTS5 and indexes)",
                     Double(bytes) / 1_048_576, Double(bytes) / Double(total)))
    }

    /// The `total` messages the producers append, in order.
    static func build(total: Int, randomIDs: Bool) -> [StoredMessage] {
        var text = BenchText(seed: 1, randomIDs: randomIDs)
        return (0..<total).map { text.message(room: room, index: $0) }
    }

    /// Appends `messages` from concurrent producers (producer p appends p, p + producers, …),
    /// each group commit counted in `commits`; returns the seconds it took.
    static func fill(_ database: any StoreBackend, messages: [StoredMessage], commits: CommitTally) async throws -> Double {
        let writer = database.archiveWriter(maxBatch: 1024, commitObserver: commits.record)
        let stopwatch = Stopwatch()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    for index in stride(from: producer, to: messages.count, by: producers) {
                        _ = try await writer.append(messages[index])
                    }
                }
            }
            try await group.waitForAll()
        }
        await writer.close()
        return stopwatch.seconds
    }

    /// Closes the backend's connections.
    static func shutdown(_ database: any StoreBackend) async throws {
        if let postgres = database as? PostgresBackend {
            await postgres.shutdown()
        } else if let sqlite = database as? SalonDatabase {
            try await sqlite.shutdown()
        }
    }

    /// Prints `text` at once, also into a pipe: a run cut short still shows what it measured.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Runs `query` `queries` times in a row, or for `phaseSeconds` when that comes first (never
    /// fewer than `minimumQueries` runs), and prints p50/p99 latencies; returns the last result.
    /// The time bound keeps the run bounded where a query is slow (counting a common word).
    static func measure(_ label: String, _ query: @Sendable (Int) async throws -> Int) async throws -> Int {
        var latencies = LatencyHistogram()
        var result = 0
        let phase = Stopwatch()
        for index in 0..<queries {
            if index >= minimumQueries, phase.seconds > phaseSeconds { break }
            let stopwatch = Stopwatch()
            result = try await query(index)
            latencies.record(nanoseconds: UInt64(stopwatch.seconds * 1e9))
        }
        line("\(label): \(latencies.summary) (result \(result), \(latencies.count) queries)")
        return result
    }
}
