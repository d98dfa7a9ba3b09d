import Foundation

/// XEP-0163 PEP nodes of each account: configuration, items, explicit subscriptions and
/// affiliations, on whichever backend the deployment uses (`SQLitePEPStore`, `PostgresPEPStore`).
/// Every method is async and never blocks the caller; every write is one transaction, and one
/// owner's writes run one at a time, so the limits hold.
public protocol PEPStore: Sendable {
    /// The owner's nodes, sorted by name (their bytes).
    func nodes(owner: String) async throws -> [PEPNode]

    func node(owner: String, node: String) async throws -> PEPNode?

    /// Publishes `item` to `node`, creating the node with `newConfig` when absent (within
    /// `limits.maxNodes`). For an existing node `accepts` decides on its configuration (false:
    /// nothing is written). An item with the same id is replaced and becomes the newest; the
    /// oldest items beyond `max_items` go.
    func publish(owner: String, node: String, item: PEPItem, newConfig: PEPNodeConfig, limits: PEPLimits,
                 accepts: @escaping @Sendable (PEPNodeConfig) -> Bool) async throws -> PEPPublishOutcome

    /// Creates an empty node; false when it exists already.
    func create(owner: String, node: PEPNode, limits: PEPLimits) async throws -> Bool

    /// Replaces a node's configuration, dropping items it no longer keeps; false for no node.
    func configure(owner: String, node: PEPNode, limits: PEPLimits) async throws -> Bool

    /// The node's items, oldest first: those with `ids` (when given), else the newest `max`
    /// (when given), else all.
    func items(owner: String, node: String, ids: [String]?, max: Int?) async throws -> [PEPItem]

    /// The newest item of each of the owner's nodes that has one, by node name.
    func lastItems(owner: String) async throws -> [(node: PEPNode, item: PEPItem)]

    /// Removes one item; false when the item was not there.
    func retract(owner: String, node: String, itemID: String) async throws -> Bool

    /// Removes every item of a node; false when there is no such node.
    func purge(owner: String, node: String) async throws -> Bool

    /// Removes a node with its items, subscriptions and affiliations; false when there was none.
    func delete(owner: String, node: String) async throws -> Bool

    /// Subscribes `jid` to an existing node; false when there is no such node. At most
    /// `maxSubscribers` per node (limitReached beyond).
    func subscribe(owner: String, node: String, jid: String, maxSubscribers: Int) async throws -> Bool

    /// Ends a subscription; false when there was none.
    func unsubscribe(owner: String, node: String, jid: String) async throws -> Bool

    /// The JIDs (full or bare, as they subscribed) subscribed to a node, sorted.
    func subscribers(owner: String, node: String) async throws -> [String]

    /// The node's affiliations other than the owner's, by JID (bare JIDs); nil when there is no such node.
    func affiliations(owner: String, node: String) async throws -> [(jid: String, affiliation: String)]?

    /// `jid`'s affiliation on one node, or nil.
    func affiliation(owner: String, node: String, jid: String) async throws -> String?

    /// The owner's nodes on which `jid` has an affiliation, with it.
    func affiliations(owner: String, of jid: String) async throws -> [(node: String, affiliation: String)]

    /// Sets affiliations on an existing node, all or nothing: `member` or `outcast`, or `none` to
    /// remove one. False when there is no such node; limitReached (nothing written) when the node
    /// would have more than `limit`.
    func setAffiliations(owner: String, node: String, _ changes: [(jid: String, affiliation: String)], limit: Int) async throws -> Bool

    /// The owner's nodes `jid` (or, for a bare JID, any of its resources) is subscribed to, with the
    /// JID as it subscribed.
    func subscriptions(owner: String, of jid: String) async throws -> [(node: String, jid: String)]

    /// Every account's items of `node` whose id is one of `ids` (compared without ASCII case):
    /// who holds which item, e.g. who bookmarked a room.
    func holders(ofItems ids: Set<String>, in node: String) async throws -> [(owner: String, itemID: String)]
}

extension PEPStore {
    /// All of the node's items, oldest first.
    public func items(owner: String, node: String) async throws -> [PEPItem] {
        try await items(owner: owner, node: node, ids: nil, max: nil)
    }

    /// The node's items with `ids`, oldest first.
    public func items(owner: String, node: String, ids: [String]) async throws -> [PEPItem] {
        try await items(owner: owner, node: node, ids: ids, max: nil)
    }

    /// The node's newest `max` items, oldest first.
    public func items(owner: String, node: String, max: Int) async throws -> [PEPItem] {
        try await items(owner: owner, node: node, ids: nil, max: max)
    }

    /// Throws limitReached for an item larger than `limits` allow, invalidArgument for one
    /// neither backend can store (checked before either sees it).
    static func check(node: String, item: PEPItem, limits: PEPLimits) throws {
        try checkName(node)
        guard item.payload.utf8.count <= limits.maxItemBytes else {
            throw StoreError(.limitReached, "an item of \(item.payload.utf8.count) bytes is larger than \(limits.maxItemBytes)")
        }
        try PostgresText.check(item.id, "item id")
        try PostgresText.check(item.payload, "item payload")
        try PostgresText.check(item.publisher ?? "", "item publisher")
    }

    /// Throws invalidArgument for a node name or configuration neither backend can store.
    static func check(_ node: PEPNode) throws {
        try checkName(node.name)
        guard node.config.maxItems >= 0 else { throw StoreError(.invalidArgument, "max_items must not be negative") }
        try PostgresText.check(node.config.accessModel, "access model")
        try PostgresText.check(node.config.sendLastPublishedItem, "send_last_published_item")
    }

    static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= InputLimits.maxJIDBytes else {
            throw StoreError(.invalidArgument, "a node name must be 1…\(InputLimits.maxJIDBytes) bytes")
        }
        try PostgresText.check(name, "node name")
    }

    /// Throws invalidArgument unless each change is a bare-JID-sized `member`, `outcast` or `none`.
    static func check(affiliations changes: [(jid: String, affiliation: String)]) throws {
        for change in changes {
            try InputLimits.checkBareJID(change.jid)
            try PostgresText.check(change.jid, "JID")
            guard ["member", "outcast", "none"].contains(change.affiliation) else {
                throw StoreError(.invalidArgument, "an affiliation is member, outcast or none, not \(change.affiliation)")
            }
        }
    }

    /// `text` as a LIKE pattern matching itself, with `\` as the escape character.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// Times as both backends keep them: milliseconds since the Unix epoch.
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
