import Foundation

/// One contact in a user's roster (RFC 6121 §2.1).
public struct RosterItem: Sendable, Hashable {
    /// The contact's bare JID.
    public var jid: String
    /// The user's nickname for the contact.
    public var name: String?
    /// "none", "to", "from" or "both".
    public var subscription: String
    /// Whether a subscription request from the user is pending ("ask='subscribe'").
    public var ask: Bool
    /// The roster groups the contact is in.
    public var groups: [String]

    /// Creates a roster item.
    public init(jid: String, name: String? = nil, subscription: String = "none", ask: Bool = false,
                groups: [String] = []) {
        self.jid = jid
        self.name = name
        self.subscription = subscription
        self.ask = ask
        self.groups = groups
    }

    /// The subscription states RFC 6121 defines for storage ("remove" is an action, not a state).
    public static let subscriptionStates: Set<String> = ["none", "to", "from", "both"]

    /// Throws invalidArgument unless the item is well-formed and of bounded size.
    func validate() throws {
        try InputLimits.checkBareJID(jid, "roster item JID")
        guard Self.subscriptionStates.contains(subscription) else {
            throw StoreError(.invalidArgument, "unknown roster subscription state: \(subscription.prefix(32))")
        }
        if let name, name.utf8.count > InputLimits.maxRosterTextBytes {
            throw StoreError(.invalidArgument, "roster item name exceeds \(InputLimits.maxRosterTextBytes) bytes")
        }
        guard groups.count <= InputLimits.maxRosterGroups else {
            throw StoreError(.invalidArgument, "a roster item may be in at most \(InputLimits.maxRosterGroups) groups")
        }
        for group in groups where group.isEmpty || group.utf8.count > InputLimits.maxRosterTextBytes {
            throw StoreError(.invalidArgument, "roster group names must be 1…\(InputLimits.maxRosterTextBytes) bytes")
        }
        // XML cannot carry NUL, so no client sends one; PostgreSQL's text cannot hold it.
        for text in [jid, name ?? ""] + groups {
            try PostgresText.check(text, "roster item")
        }
    }
}
