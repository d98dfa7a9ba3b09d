import SalonStore

/// The subscription state machine of RFC 6121 Appendix A, on roster items.
enum SubscriptionState {
    /// The user sends `type` to `contact`.
    static func outbound(_ type: String, item: RosterItem?, contact: String) -> RosterItem? {
        var item = item ?? RosterItem(jid: contact)
        switch type {
        case "subscribe":
            guard item.subscription == "none" || item.subscription == "from" else { return item }
            item.ask = true
        case "unsubscribe":
            item.ask = false
            item.subscription = item.subscription == "both" ? "from" : (item.subscription == "to" ? "none" : item.subscription)
        case "subscribed":
            item.subscription = item.subscription == "to" ? "both" : (item.subscription == "none" ? "from" : item.subscription)
        case "unsubscribed":
            item.subscription = item.subscription == "both" ? "to" : (item.subscription == "from" ? "none" : item.subscription)
        default:
            break
        }
        return item
    }

    /// The contact receives `type` from `user`; nil leaves the roster untouched.
    static func inbound(_ type: String, item: RosterItem?, user: String) -> RosterItem? {
        switch type {
        case "subscribed":
            guard var item, item.ask else { return item }
            item.ask = false
            item.subscription = item.subscription == "from" ? "both" : (item.subscription == "none" ? "to" : item.subscription)
            return item
        case "unsubscribed":
            guard var item else { return nil }
            item.ask = false
            item.subscription = item.subscription == "both" ? "from" : (item.subscription == "to" ? "none" : item.subscription)
            return item
        case "unsubscribe":
            guard var item else { return nil }
            item.subscription = item.subscription == "both" ? "to" : (item.subscription == "from" ? "none" : item.subscription)
            return item
        default:
            return item
        }
    }
}
