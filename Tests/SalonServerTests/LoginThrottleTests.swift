import Foundation
@testable import SalonServer
import Testing

@Suite("Login throttle")
struct LoginThrottleTests {
    @Test("Login failures double the delay up to a cap, counted per account and per address; a success clears only its account")
    func loginThrottle() {
        let throttle = LoginThrottle()
        let now = Date()
        let verdicts = (0..<8).map { _ in throttle.failure(account: "a@x", address: "10.0.0.1", now: now) }
        #expect(verdicts.prefix(3).map(\.delay) == [.milliseconds(250), .milliseconds(500), .milliseconds(1000)])
        #expect(verdicts.last?.delay == .milliseconds(8000))
        // Reaching the longest delay is reported once.
        #expect(verdicts.map(\.reachedMaximum) == [false, false, false, false, false, true, false, false])
        // Another account from the same address: the address's count rules.
        #expect(throttle.failure(account: "b@x", address: "10.0.0.1", now: now).delay == .milliseconds(8000))
        // The same account from another address: the account's count rules.
        #expect(throttle.failure(account: "a@x", address: "10.0.0.2", now: now).delay == .milliseconds(8000))
        // A name that cannot be an account counts against its address only.
        #expect(throttle.failure(account: nil, address: "10.0.0.3", now: now).delay == .milliseconds(250))
        #expect(throttle.failure(account: "c@x", address: "10.0.0.4", now: now).delay == .milliseconds(250))
        throttle.succeeded(account: "b@x")
        #expect(throttle.failures(account: "b@x", now: now) == 0)
        #expect(throttle.failures(account: "a@x", now: now) == 9)
        #expect(throttle.failure(account: "b@x", address: "10.0.0.1", now: now).delay == .milliseconds(8000))
        // Ten quiet minutes forgive.
        #expect(throttle.failures(account: "a@x", now: now.addingTimeInterval(601)) == 0)
        #expect(throttle.failure(account: "a@x", address: "10.0.0.5", now: now.addingTimeInterval(601)).delay == .milliseconds(250))
    }
}
