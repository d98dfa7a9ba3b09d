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
        "config-node-max", "create-nodes", "delete-items", "delete-nodes", "filtered-notifications", "item-ids", "last-published",
        "manage-subscriptions", "member-affiliation", "modify-affiliations", "multi-items", "outcast-affiliation",
        "persistent-items", "presence-notifications", "presence-subscribe", "publish", "publish-options",
        "purge-nodes", "retract-items", "retrieve-affiliations", "retrieve-default", "retrieve-items", "retrieve-subscriptions",
        "subscribe",
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

/// XEP-0049 private XML storage and the bookmark formats kept in sync (XEP-0048, XEP-0402).
enum PersonalStorage {
    static let privateXML = "jabber:iq:private"
    static let legacyBookmarks = "storage:bookmarks"
    static let bookmarks = "urn:xmpp:bookmarks:1"
    /// XEP-0402 §5.3: bookmarks in private XML storage are kept in sync.
    static let bookmarksCompat = "urn:xmpp:bookmarks:1#compat"
    /// XEP-0402 §5.3: bookmarks in the XEP-0048 PEP node are kept in sync.
    static let bookmarksCompatPEP = "urn:xmpp:bookmarks:1#compat-pep"
}
