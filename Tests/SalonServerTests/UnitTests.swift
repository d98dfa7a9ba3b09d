import Foundation
import PersistentChat
import NIOCore
@testable import SalonServer
import SalonStore
import XMPPCore
import Testing

@Suite("Server building blocks")
struct UnitTests {
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

    @Test("Subscription states follow RFC 6121 Appendix A", arguments: [
        // (side, stanza, before, ask, after, ask after)
        ("out", "subscribe", "none", false, "none", true),
        ("out", "subscribe", "from", false, "from", true),
        ("out", "subscribed", "none", false, "from", false),
        ("out", "subscribed", "to", false, "both", false),
        ("out", "unsubscribe", "both", false, "from", false),
        ("out", "unsubscribe", "to", true, "none", false),
        ("out", "unsubscribed", "both", false, "to", false),
        ("out", "unsubscribed", "from", false, "none", false),
        ("in", "subscribed", "none", true, "to", false),
        ("in", "subscribed", "from", true, "both", false),
        ("in", "subscribed", "none", false, "none", false),
        ("in", "unsubscribed", "both", false, "from", false),
        ("in", "unsubscribed", "to", true, "none", false),
        ("in", "unsubscribe", "both", false, "to", false),
        ("in", "unsubscribe", "from", false, "none", false),
    ])
    func subscriptionStates(side: String, stanza: String, before: String, ask: Bool, after: String, askAfter: Bool) {
        let item = RosterItem(jid: "x@y", subscription: before, ask: ask)
        let result = side == "out"
            ? SubscriptionState.outbound(stanza, item: item, contact: "x@y")
            : SubscriptionState.inbound(stanza, item: item, user: "x@y")
        #expect(result?.subscription == after)
        #expect(result?.ask == askAfter)
    }

    @Test("Room history keeps the newest messages in order and counts maxchars in XML characters")
    func roomHistory() throws {
        var history = RoomHistory(capacity: 3)
        let now = Date()
        var lengths: [Int] = []
        for n in 1...5 {
            var message = XMLElement("message", namespace: NS.client, attributes: ["type": "groupchat"])
            var body = XMLElement("body", namespace: NS.client)
            body.append(text: "é\(n)")  // two bytes of UTF-8, one character
            message.append(body)
            let spliced = SplicedStanza(message, parentNamespace: NS.client)
            let characters = RoomHistory.characters(in: spliced)
            #expect(characters == message.serialized(parentNamespace: NS.client).unicodeScalars.count)
            lengths.append(characters)
            history.append(message, characters: characters, at: now)
        }
        let texts = { (entries: [RoomHistory.Entry]) in entries.map { $0.message.child("body", namespace: NS.client)?.text } }
        #expect(texts(history.select(nil, now: now)) == ["é3", "é4", "é5"])
        let two = XMLElement("history", namespace: MUC.ns, attributes: ["maxchars": "\(lengths[3] + lengths[4])"])
        #expect(texts(history.select(two, now: now)) == ["é4", "é5"])
        let short = XMLElement("history", namespace: MUC.ns, attributes: ["maxchars": "\(lengths[4] - 1)"])
        #expect(history.select(short, now: now).isEmpty)
        history.setCapacity(1)
        #expect(texts(history.select(nil, now: now)) == ["é5"])
    }

    @Test("SASL payloads: Base64 with surrounding XML whitespace ignored, '=' for empty, anything else refused")
    func saslPayloadDecoding() {
        #expect(C2SConnection.decode("AGJvYgBwYXNz") == Array("\0bob\0pass".utf8))
        #expect(C2SConnection.decode(" \n\tAGJvYgBwYXNz\r\n ") == Array("\0bob\0pass".utf8))
        #expect(C2SConnection.decode("=") == [])
        #expect(C2SConnection.decode("  =\n") == [])
        #expect(C2SConnection.decode("") == [])
        #expect(C2SConnection.decode("AGJv YgBw") == nil)
        #expect(C2SConnection.decode("\u{00A0}AGJvYgBwYXNz") == nil)
        #expect(C2SConnection.decode("not base64!") == nil)
    }

    @Test("Mechanisms offered depend on TLS and channel binding")
    func mechanismsOffered() {
        #expect(SASLMechanism.offered(tls: false, channelBinding: false).map(\.rawValue) == ["SCRAM-SHA-256", "SCRAM-SHA-1"])
        #expect(SASLMechanism.offered(tls: true, channelBinding: false).map(\.rawValue) == ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"])
        #expect(SASLMechanism.offered(tls: true, channelBinding: true).count == 5)
    }
}
