import Foundation

/// The server under test as /proc shows it (Linux): CPU time and resident memory, and the CPU
/// time of the database server it stores in, when that is a process of its own (PostgreSQL).
/// A server's process, or a cluster's: every figure is the sum over `pids`.
struct ServerProcess: Sendable {
    let pids: [Int32]
    /// The database server's main process (PostgreSQL's postmaster), whose children do its work.
    var database: Int32? = nil

    struct Sample: Sendable {
        /// User plus system CPU time of all its threads, in microseconds.
        let cpuMicroseconds: Double
        /// Resident set size, in KiB.
        let rssKiB: Int
        /// The database server's CPU time, its children's included, in microseconds.
        var databaseMicroseconds: Double? = nil
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
        Sample(cpuMicroseconds: try pids.reduce(0) { $0 + (try Self.cpuMicroseconds(of: $1)) },
               rssKiB: try pids.reduce(0) { $0 + (try Self.rssKiB(of: $1)) },
               databaseMicroseconds: try database.map(Self.treeCPUMicroseconds(of:)), machine: .now())
    }

    /// utime + stime (fields 14 and 15 of /proc/PID/stat, counted after the command's closing
    /// parenthesis), plus cutime + cstime (16 and 17: children it has reaped) when asked.
    static func cpuMicroseconds(of pid: Int32, reapedChildren: Bool = false) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let count = reapedChildren ? 4 : 2
        let ticks = fields.dropFirst(11).prefix(count).compactMap { Double($0) }
        guard ticks.count == count else { throw BenchError("unreadable /proc/\(pid)/stat") }
        return ticks.reduce(0, +) / ticksPerSecond * 1e6
    }

    /// A database server's CPU time: its main process, the children it has reaped (PostgreSQL's
    /// backends of closed connections) and those still running (one per open connection, and
    /// its writers). A child that exits between the listing and its reading counts nothing.
    static func treeCPUMicroseconds(of pid: Int32) throws -> Double {
        let listing = try String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
        let children = listing.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return try cpuMicroseconds(of: pid, reapedChildren: true)
            + children.reduce(0) { $0 + ((try? cpuMicroseconds(of: $1)) ?? 0) }
    }

    private static func rssKiB(of pid: Int32) throws -> Int {
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
