import Foundation

/// The server under test as /proc shows it (Linux): CPU time and resident memory.
struct ServerProcess: Sendable {
    let pid: Int32

    struct Sample: Sendable {
        /// User plus system CPU time of all its threads, in microseconds.
        let cpuMicroseconds: Double
        /// Resident set size, in KiB.
        let rssKiB: Int
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    func sample() throws -> Sample {
        Sample(cpuMicroseconds: try cpuMicroseconds(), rssKiB: try rssKiB())
    }

    /// utime + stime (fields 14 and 15 of /proc/PID/stat, counted after the command's closing parenthesis).
    private func cpuMicroseconds() throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchError("unreadable /proc/\(pid)/stat")
        }
        return (user + system) / Self.ticksPerSecond * 1e6
    }

    private func rssKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let value = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap({ Int($0) }) else {
            throw BenchError("no VmRSS in /proc/\(pid)/status")
        }
        return value
    }
}

/// A benchmark that cannot go on, and why.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
