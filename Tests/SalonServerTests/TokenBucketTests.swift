import Foundation
import NIOCore
@testable import SalonServer
import Testing

@Suite("Token bucket")
struct TokenBucketTests {
    @Test("The token bucket lets a burst through, then asks to wait in proportion to the debt")
    func tokenBucket() {
        var bucket = TokenBucket(ratePerSecond: 1000, burst: 2000)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(bucket.consume(2000, now: start) == nil)
        let wait = bucket.consume(500, now: start)
        #expect(wait == .milliseconds(500))
        // Half a second later the debt is repaid.
        #expect(bucket.consume(0, now: start + .milliseconds(500)) == nil)
    }

    @Test("The token bucket refuses a take when empty, spending nothing, and refills at its rate")
    func tokenBucketTake() {
        var bucket = TokenBucket(ratePerSecond: 0.5, burst: 2)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let first = bucket.take(now: start), second = bucket.take(now: start), third = bucket.take(now: start)
        #expect(first && second && !third)
        let early = bucket.take(now: start + .seconds(1))
        let refilled = bucket.take(now: start + .seconds(2))
        #expect(!early && refilled)
        #expect(!bucket.isFull(now: start + .seconds(2)))
        #expect(bucket.isFull(now: start + .seconds(6)))
    }
}
