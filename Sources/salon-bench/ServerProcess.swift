import Foundation

/// The server under test as /proc shows it (Linux): CPU time and resident memory.
struct ServerProcess: Sendable {
    let pid: Int32

    struct Sample: Sendable {
        /// User plus system CPU time of all its threads, in microseconds.
        let cpuMicroseconds: Double
        /// Resident set size, in KiB.
        let rssKiB: Int
        /// The machine's CPU time so far: all of it, and what the hypervisor took (steal).
        let machine: MachineTime?
    }

    /// The "cpu" line of /proc/stat, in ticks. On a virtual machine, steal is time its vCPUs
    /// were ready to run but the host ran something else: it stalls any thread at random, so
    /// a run with much of it measures the host more than the servers.
    struct MachineTime: Sendable {
        let total: Double
        let steal: Double

        static func now() -> MachineTime? {
            (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)).flatMap(MachineTime.init(procStat:))
        }

        /// Percent of the machine's CPU time between `earlier` and this sample that was stolen.
        func stealPercent(since earlier: MachineTime) -> Double? {
            let elapsed = total - earlier.total
            return elapsed > 0 ? 100 * (steal - earlier.steal) / elapsed : nil
        }
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    func sample() throws -> Sample {
        Sample(cpuMicroseconds: try cpuMicroseconds(), rssKiB: try rssKiB(), machine: .now())
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

extension ServerProcess.MachineTime {
    /// From the text of /proc/stat; nil without a complete "cpu" line.
    init?(procStat: String) {
        guard let line = procStat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard ticks.count == 8 else { return nil }
        self.init(total: ticks.reduce(0, +), steal: ticks[7])
    }
}

/// A benchmark that cannot go on, and why.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
