import Foundation

/// A PEP node's configuration as stored (XEP-0060 node options the server supports). The
/// server validates the values; the store keeps what it is given.
public struct PEPNodeConfig: Sendable, Hashable {
    /// `pubsub#access_model`: "presence", "open" or "whitelist".
    public var accessModel: String
    /// `pubsub#max_items`: how many items the node keeps.
    public var maxItems: Int
    /// `pubsub#persist_items`: false keeps no items (notifications only).
    public var persistItems: Bool
    /// `pubsub#send_last_published_item`: "never", "on_sub" or "on_sub_and_presence".
    public var sendLastPublishedItem: String

    public init(accessModel: String, maxItems: Int, persistItems: Bool, sendLastPublishedItem: String) {
        self.accessModel = accessModel
        self.maxItems = maxItems
        self.persistItems = persistItems
        self.sendLastPublishedItem = sendLastPublishedItem
    }
}

/// A node of an account's PEP service.
public struct PEPNode: Sendable, Hashable {
    public var name: String
    public var config: PEPNodeConfig

    public init(name: String, config: PEPNodeConfig) {
        self.name = name
        self.config = config
    }
}

/// One published item: its id, its payload serialised, who published it and when.
public struct PEPItem: Sendable, Hashable {
    public var id: String
    public var payload: String
    public var publisher: String?
    public var publishedAt: Date

    public init(id: String, payload: String, publisher: String?, publishedAt: Date = Date()) {
        self.id = id
        self.payload = payload
        self.publisher = publisher
        self.publishedAt = publishedAt
    }
}

/// Bounds on one account's PEP service, given by the server.
public struct PEPLimits: Sendable {
    /// Nodes per account.
    public var maxNodes: Int
    /// Items one node keeps, whatever its `max_items` says.
    public var maxItemsPerNode: Int
    /// Bytes of one serialised payload.
    public var maxItemBytes: Int
    /// Bytes of all the account's stored payloads together.
    public var maxAccountBytes: Int

    public init(maxNodes: Int, maxItemsPerNode: Int, maxItemBytes: Int, maxAccountBytes: Int) {
        self.maxNodes = maxNodes
        self.maxItemsPerNode = maxItemsPerNode
        self.maxItemBytes = maxItemBytes
        self.maxAccountBytes = maxAccountBytes
    }
}

/// What a publish did.
public enum PEPPublishOutcome: Sendable, Hashable {
    /// Stored (or, for a node that persists nothing, accepted); `created` when the node is new.
    case published(node: PEPNode, created: Bool)
    /// The node exists and the caller's check refused its configuration (publish-options
    /// preconditions); nothing was written.
    case refused(current: PEPNodeConfig)
}
