import Foundation
import Synchronization

/// Slows down guessing of passwords and component secrets: a failure is answered only after a
/// delay that doubles with each recent failure, from 250 ms up to 8 s.
///
/// Failures are counted per account (the name tried, from any address) and per address (for
/// any account), across all connections, and the delay follows the larger count: spreading
/// guesses over connections, accounts or addresses does not escape it. A success clears only
/// that account's count, so one good login from a shared address does not clear the guesses
/// at other accounts made from it. Counts are forgotten after ten quiet minutes.
final class LoginThrottle: Sendable {
    struct Verdict: Equatable {
        /// How long to wait before answering the failure.
        var delay: Duration
        /// This failure brought the account or address to the longest delay: worth one log line.
        var reachedMaximum: Bool
    }

    private struct Record { var failures: Int; var last: Date }
    private struct Records {
        var accounts: [String: Record] = [:]
        var addresses: [String: Record] = [:]
    }

    private let records = Mutex(Records())
    /// Client logins being checked or answered, per address (`limits.auth_in_progress_per_address`).
    let inProgress = AuthenticationsInProgress()
    private let window: TimeInterval = 600
    private static let steps = 6

    /// Records a failure for `account` (nil when the name tried cannot be one) from `address`.
    func failure(account: String?, address: String, now: Date = Date()) -> Verdict {
        let (byAddress, byAccount) = records.withLock { records in
            (count(&records.addresses, address, now), account.map { count(&records.accounts, $0, now) } ?? 0)
        }
        let failures = max(byAddress, byAccount)
        return Verdict(delay: .milliseconds(250 << min(failures - 1, Self.steps - 1)),
                       reachedMaximum: byAddress == Self.steps || byAccount == Self.steps)
    }

    /// `account` proved itself: its failures are forgiven (its address's are not).
    func succeeded(account: String) {
        records.withLock { _ = $0.accounts.removeValue(forKey: account) }
    }

    /// Recent failures counted against `account`.
    func failures(account: String, now: Date = Date()) -> Int {
        records.withLock { records in
            guard let record = records.accounts[account], now.timeIntervalSince(record.last) <= window else { return 0 }
            return record.failures
        }
    }

    private func count(_ table: inout [String: Record], _ key: String, _ now: Date) -> Int {
        if table.count > 100_000 { table = table.filter { now.timeIntervalSince($0.value.last) <= window } }
        var record = table[key] ?? Record(failures: 0, last: now)
        if now.timeIntervalSince(record.last) > window { record.failures = 0 }
        record.failures += 1
        record.last = now
        table[key] = record
        return record.failures
    }
}

extension XMPPStream {
    /// Records a failed login or component handshake with `throttle`, then runs `answer` once
    /// the throttle's delay is over (input waits meanwhile). The failure that brings an account
    /// or address to the longest delay is logged; the ones after it are not, to spare the log.
    func answerFailure(throttledBy throttle: LoginThrottle, account: String?, address: String,
                       _ answer: @escaping () -> Void) {
        let verdict = throttle.failure(account: account, address: address)
        if verdict.reachedMaximum {
            logger.notice("throttled: failures keep coming, each is now answered after the longest delay",
                          metadata: ["account": "\(account ?? "-")", "address": "\(address)"])
        }
        awaiting({ try await Task.sleep(for: verdict.delay) }, then: { _ in answer() })
    }
}
