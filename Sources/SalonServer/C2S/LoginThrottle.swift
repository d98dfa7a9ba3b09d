import Foundation
import Synchronization

/// Slows down password guessing: each recent failure from an address doubles the delay
/// before the next failure is answered (from 250 ms up to 8 s). Failures are forgotten
/// after ten quiet minutes.
final class LoginThrottle: Sendable {
    private struct Record { var failures: Int; var last: Date }
    private let records = Mutex<[String: Record]>([:])
    private let window: TimeInterval = 600

    /// Records a failure from `address` and returns how long to wait before answering it.
    func failureDelay(for address: String, now: Date = Date()) -> Duration {
        let failures = records.withLock { records in
            if records.count > 100_000 { records = records.filter { now.timeIntervalSince($0.value.last) < window } }
            var record = records[address] ?? Record(failures: 0, last: now)
            if now.timeIntervalSince(record.last) > window { record.failures = 0 }
            record.failures += 1
            record.last = now
            records[address] = record
            return record.failures
        }
        let milliseconds = min(8_000, 250 << min(failures - 1, 5))
        return .milliseconds(milliseconds)
    }

    func succeeded(for address: String) {
        records.withLock { $0[address] = nil }
    }
}
