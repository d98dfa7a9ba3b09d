import XMPPCore

/// XEP-0060 publish-subscribe namespaces, as PEP (XEP-0163) uses them.
enum PubSub {
    static let ns = "http://jabber.org/protocol/pubsub"
    static let event = "http://jabber.org/protocol/pubsub#event"
    static let owner = "http://jabber.org/protocol/pubsub#owner"
    static let errors = "http://jabber.org/protocol/pubsub#errors"
    static let publishOptions = "http://jabber.org/protocol/pubsub#publish-options"
    static let nodeConfig = "http://jabber.org/protocol/pubsub#node_config"

    /// What the account's PEP service does, as disco#info features (XEP-0060 §10).
    static let features = [
        "access-open", "access-presence", "access-whitelist", "auto-create", "auto-subscribe", "config-node",
        "create-nodes", "delete-items", "delete-nodes", "filtered-notifications", "item-ids", "last-published",
        "multi-items", "persistent-items", "presence-notifications", "presence-subscribe", "publish", "publish-options",
        "purge-nodes", "retract-items", "retrieve-items", "subscribe",
    ].map { "\(ns)#\($0)" }

    /// A stanza error with a pubsub#errors application condition (XEP-0060 §7, §6).
    static func error(_ condition: StanzaErrorCondition, _ application: String? = nil, text: String? = nil) -> StanzaError {
        var error = StanzaError(condition, text: text)
        if let application { error.applicationCondition = XMLElement(application, namespace: errors) }
        return error
    }
}

/// XEP-0115 entity capabilities.
enum Caps {
    static let ns = "http://jabber.org/protocol/caps"
}

/// XEP-0049 private XML storage.
enum PersonalStorage {
    static let privateXML = "jabber:iq:private"
}
