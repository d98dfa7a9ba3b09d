#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What a measurement cost this process and what else the machine was doing: the process's CPU
/// time (user + system, all threads) since creation, and the load average then and now.
struct ProcessLoad {
    private let startCPU: Double
    /// The 1-minute load average when the measurement started.
    let average: String

    init() {
        startCPU = Self.processCPUSeconds()
        average = Self.loadAverage()
    }

    /// CPU seconds this process used since `init`.
    func cpuSeconds() -> Double {
        Self.processCPUSeconds() - startCPU
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(Self.selfWho, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    #if canImport(Glibc)
    private static let selfWho = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let selfWho = RUSAGE_SELF
    #endif

    /// The 1-minute load average, e.g. "1.52" ("?" where unavailable).
    static func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        guard getloadavg(&loads, 3) > 0 else { return "?" }
        return String(format: "%.2f", loads[0])
    }
}
