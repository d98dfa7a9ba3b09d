#if canImport(Glibc)
import Glibc
#endif

/// The process's CPU time and resident memory, read from /proc at scrape time (Linux; elsewhere
/// nothing is reported). Rendered in Prometheus' standard `process_*` names, which dashboards
/// and alerts already know, rather than under `salon_`.
enum ProcessStatistics {
    /// `process_cpu_seconds_total` and `process_resident_memory_bytes`, as exposition text.
    static func exposition() -> String {
        var text = ""
        if let stat = read("/proc/self/stat"), let seconds = cpuSeconds(stat: stat, ticksPerSecond: ticksPerSecond) {
            text += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
            text += "# TYPE process_cpu_seconds_total counter\n"
            text += "process_cpu_seconds_total \(seconds)\n"
        }
        if let statm = read("/proc/self/statm"), let bytes = residentBytes(statm: statm, pageSize: pageSize) {
            text += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            text += "# TYPE process_resident_memory_bytes gauge\n"
            text += "process_resident_memory_bytes \(bytes)\n"
        }
        return text
    }

    /// utime + stime (fields 14 and 15) over the clock tick rate. The command name (field 2) may
    /// hold spaces and parentheses, so fields are counted after its last `)`.
    static func cpuSeconds(stat: String, ticksPerSecond: Int) -> Double? {
        guard ticksPerSecond > 0, let close = stat.lastIndex(of: ")") else { return nil }
        // After the name: field 3 (state) is the first, so utime is the 12th and stime the 13th.
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return Double(user + system) / Double(ticksPerSecond)
    }

    /// The second field of statm (resident pages) times the page size.
    static func residentBytes(statm: String, pageSize: Int) -> Int? {
        let fields = statm.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 1, let pages = Int(fields[1].trimmingSuffixNewline) else { return nil }
        return pages * pageSize
    }

    private static var ticksPerSecond: Int {
        #if canImport(Glibc)
        Int(sysconf(Int32(_SC_CLK_TCK)))
        #else
        0
        #endif
    }

    private static var pageSize: Int {
        #if canImport(Glibc)
        Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        0
        #endif
    }

    /// A small /proc file, whole (they are a line each; at most 4 KiB is read).
    private static func read(_ path: String) -> String? {
        #if canImport(Glibc)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
        #else
        return nil
        #endif
    }
}

private extension Substring {
    var trimmingSuffixNewline: Substring { last == "\n" ? dropLast() : self }
}
