import Foundation

/// What a scenario prints: one line for people, one `RESULT scenario=NAME key=value …` line for scripts.
enum Report {
    static func print(_ scenario: String, _ human: String, _ fields: [(String, Double)]) {
        Swift.print("\(scenario): \(human)")
        let values = fields.map { "\($0.0)=\(format("%.6g", $0.1))" }.joined(separator: " ")
        Swift.print("RESULT scenario=\(scenario) \(values)")
    }

    /// The server's CPU time per unit of work and its resident memory, between two samples, and
    /// the database server's CPU time per unit when it was sampled.
    static func serverFields(_ before: ServerProcess.Sample?, _ after: ServerProcess.Sample?, per units: Int,
                             unit: String) -> (text: String, fields: [(String, Double)]) {
        guard let before, let after, units > 0 else { return ("", []) }
        let cpu = (after.cpuMicroseconds - before.cpuMicroseconds) / Double(units)
        var text = format("; server %.2f µs CPU per %@, RSS %.1f MiB", cpu, unit, Double(after.rssKiB) / 1024)
        var fields = [("cpu_us_per_\(unit)", cpu), ("rss_mib", Double(after.rssKiB) / 1024)]
        if let start = before.databaseMicroseconds, let end = after.databaseMicroseconds {
            let database = (end - start) / Double(units)
            text += format("; database %.2f µs CPU per %@", database, unit)
            fields.append(("db_cpu_us_per_\(unit)", database))
        }
        if let earlier = before.machine, let steal = after.machine?.stealPercent(since: earlier) {
            text += format("; steal %.0f%%", steal)
            fields.append(("steal_pct", steal))
        }
        return (text, fields)
    }

    /// This process's CPU per unit since `load` began: when it nears the server's, the client sets the pace.
    static func clientFields(_ load: ProcessLoad, per units: Int, unit: String) -> (text: String, fields: [(String, Double)]) {
        guard units > 0 else { return ("", []) }
        let cpu = load.cpuSeconds() * 1e6 / Double(units)
        return (format("; client %.0f µs CPU per %@", cpu, unit), [("client_cpu_us_per_\(unit)", cpu)])
    }

    /// Prints the most frequent failure reasons, with their counts.
    static func failures(_ reasons: [String]) {
        let counted = Dictionary(grouping: reasons, by: { $0 }).mapValues(\.count)
        for (reason, count) in counted.sorted(by: { $0.value > $1.value }).prefix(5) {
            Swift.print("  \(count) × \(reason)")
        }
    }

    static func format(_ format: String, _ arguments: any CVarArg...) -> String {
        String(format: format, arguments: arguments)
    }
}
