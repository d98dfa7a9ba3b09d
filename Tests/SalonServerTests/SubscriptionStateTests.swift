@testable import SalonServer
import SalonStore
import Testing

@Suite("Subscription states")
struct SubscriptionStateTests {
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
}
