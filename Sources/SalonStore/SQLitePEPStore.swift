import Foundation
import GRDB

/// `PEPStore` on SQLite: every method runs on GRDB's threads, never the caller's; SQLite's
/// single writer runs one owner's writes one at a time.
struct SQLitePEPStore: PEPStore {
    let access: StoreAccess

    func nodes(owner: String) async throws -> [PEPNode] {
        try await access.read { db in
            try Row.fetchAll(db, sql: "\(Self.nodeColumns) WHERE owner = ? ORDER BY node", arguments: [owner]).map(Self.node(from:))
        }
    }

    func node(owner: String, node: String) async throws -> PEPNode? {
        try await access.read { db in try Self.node(owner: owner, node: node, db) }
    }

    /// Publishes `item` to `node`, creating the node with `newConfig` when absent (within
    /// `limits.maxNodes`). For an existing node `accepts` decides on its configuration (false:
    /// nothing is written). An item with the same id is replaced and becomes the newest; the
    /// oldest items beyond `max_items` go.
    func publish(owner: String, node: String, item: PEPItem, newConfig: PEPNodeConfig, limits: PEPLimits,
                        accepts: @escaping @Sendable (PEPNodeConfig) -> Bool) async throws -> PEPPublishOutcome {
        try Self.check(node: node, item: item, limits: limits)
        try Self.check(PEPNode(name: node, config: newConfig))
        return try await access.write { db in
            try db.requireUser(owner)
            var created = false
            let current: PEPNode
            if let existing = try Self.node(owner: owner, node: node, db) {
                guard accepts(existing.config) else { return .refused(current: existing.config) }
                current = existing
            } else {
                current = PEPNode(name: node, config: newConfig)
                try Self.insert(owner: owner, node: current, limits: limits, db)
                created = true
            }
            if current.config.persistItems {
                try db.execute(sql: "DELETE FROM pep_items WHERE owner = ? AND node = ? AND item_id = ?",
                               arguments: [owner, node, item.id])
                try db.execute(sql: """
                    INSERT INTO pep_items (owner, node, item_id, payload, publisher, published_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [owner, node, item.id, item.payload, item.publisher, Self.millis(item.publishedAt)])
                try Self.trim(owner: owner, node: node, keep: min(current.config.maxItems, limits.maxItemsPerNode), db)
                try Self.checkAccountBytes(owner: owner, limits: limits, db)
            }
            return .published(node: current, created: created)
        }
    }

    /// Creates an empty node; false when it exists already.
    func create(owner: String, node: PEPNode, limits: PEPLimits) async throws -> Bool {
        try Self.check(node)
        return try await access.write { db in
            try db.requireUser(owner)
            if try Self.node(owner: owner, node: node.name, db) != nil { return false }
            try Self.insert(owner: owner, node: node, limits: limits, db)
            return true
        }
    }

    /// Replaces a node's configuration, dropping items it no longer keeps; false for no node.
    func configure(owner: String, node: PEPNode, limits: PEPLimits) async throws -> Bool {
        try Self.check(node)
        return try await access.write { db in
            try db.execute(sql: """
                UPDATE pep_nodes SET access_model = ?, max_items = ?, persist_items = ?, send_last_published_item = ?
                WHERE owner = ? AND node = ?
                """, arguments: [node.config.accessModel, node.config.maxItems, node.config.persistItems,
                                 node.config.sendLastPublishedItem, owner, node.name])
            guard db.changesCount > 0 else { return false }
            let keep = node.config.persistItems ? min(node.config.maxItems, limits.maxItemsPerNode) : 0
            try Self.trim(owner: owner, node: node.name, keep: keep, db)
            return true
        }
    }

    /// The node's items, oldest first: those with `ids` (when given), else the newest `max`
    /// (when given), else all.
    func items(owner: String, node: String, ids: [String]?, max: Int?) async throws -> [PEPItem] {
        try await access.read { db in
            if let ids {
                guard !ids.isEmpty else { return [] }
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                var arguments: [any DatabaseValueConvertible] = [owner, node]
                arguments.append(contentsOf: ids)
                return try Row.fetchAll(db, sql: """
                    \(Self.itemColumns) WHERE owner = ? AND node = ? AND item_id IN (\(marks)) ORDER BY seq
                    """, arguments: StatementArguments(arguments)).map(Self.item(from:))
            }
            let limit = max ?? -1
            return try Row.fetchAll(db, sql: """
                SELECT item_id, payload, publisher, published_at FROM
                    (SELECT item_id, payload, publisher, published_at, seq FROM pep_items
                     WHERE owner = ? AND node = ? ORDER BY seq DESC LIMIT ?)
                ORDER BY seq
                """,
                arguments: [owner, node, limit]).map(Self.item(from:))
        }
    }

    /// The newest item of each of the owner's nodes that has one.
    func lastItems(owner: String) async throws -> [(node: PEPNode, item: PEPItem)] {
        try await access.read { db in
            let nodes = try Row.fetchAll(db, sql: "\(Self.nodeColumns) WHERE owner = ? ORDER BY node", arguments: [owner])
                .map(Self.node(from:))
            return try nodes.compactMap { node in
                try Row.fetchOne(db, sql: "\(Self.itemColumns) WHERE owner = ? AND node = ? ORDER BY seq DESC LIMIT 1",
                                 arguments: [owner, node.name])
                .map { (node: node, item: try Self.item(from: $0)) }
            }
        }
    }

    /// Removes one item; false when the item was not there.
    func retract(owner: String, node: String, itemID: String) async throws -> Bool {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM pep_items WHERE owner = ? AND node = ? AND item_id = ?", arguments: [owner, node, itemID])
            return db.changesCount > 0
        }
    }

    /// Removes every item of a node; false when there is no such node.
    func purge(owner: String, node: String) async throws -> Bool {
        try await access.write { db in
            guard try Self.node(owner: owner, node: node, db) != nil else { return false }
            try db.execute(sql: "DELETE FROM pep_items WHERE owner = ? AND node = ?", arguments: [owner, node])
            return true
        }
    }

    /// Removes a node with its items and subscriptions; false when there was none.
    func delete(owner: String, node: String) async throws -> Bool {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM pep_nodes WHERE owner = ? AND node = ?", arguments: [owner, node])
            return db.changesCount > 0
        }
    }

    // MARK: Explicit subscriptions

    /// Subscribes `jid` to an existing node; false when there is no such node. At most
    /// `maxSubscribers` per node (limitReached beyond).
    func subscribe(owner: String, node: String, jid: String, maxSubscribers: Int) async throws -> Bool {
        try InputLimits.checkBareJID(jid)
        try PostgresText.check(jid, "JID")
        return try await access.write { db in
            guard try Self.node(owner: owner, node: node, db) != nil else { return false }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pep_subscriptions WHERE owner = ? AND node = ?",
                                         arguments: [owner, node]) ?? 0
            let present = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pep_subscriptions WHERE owner = ? AND node = ? AND jid = ?)",
                                            arguments: [owner, node, jid]) ?? false
            if !present, count >= maxSubscribers {
                throw StoreError(.limitReached, "node \(node) of \(owner) already has \(count) subscribers")
            }
            try db.execute(sql: "INSERT OR IGNORE INTO pep_subscriptions (owner, node, jid) VALUES (?, ?, ?)",
                           arguments: [owner, node, jid])
            return true
        }
    }

    /// Ends a subscription; false when there was none.
    func unsubscribe(owner: String, node: String, jid: String) async throws -> Bool {
        try await access.write { db in
            try db.execute(sql: "DELETE FROM pep_subscriptions WHERE owner = ? AND node = ? AND jid = ?", arguments: [owner, node, jid])
            return db.changesCount > 0
        }
    }

    /// The JIDs (full or bare, as they subscribed) subscribed to a node.
    func subscribers(owner: String, node: String) async throws -> [String] {
        try await access.read { db in
            try String.fetchAll(db, sql: "SELECT jid FROM pep_subscriptions WHERE owner = ? AND node = ? ORDER BY jid",
                                arguments: [owner, node])
        }
    }

    // MARK: Rows

    private static let nodeColumns = "SELECT node, access_model, max_items, persist_items, send_last_published_item FROM pep_nodes"
    private static let itemColumns = "SELECT item_id, payload, publisher, published_at FROM pep_items"

    private static func node(owner: String, node: String, _ db: Database) throws -> PEPNode? {
        try Row.fetchOne(db, sql: "\(nodeColumns) WHERE owner = ? AND node = ?", arguments: [owner, node]).map(Self.node(from:))
    }

    private static func insert(owner: String, node: PEPNode, limits: PEPLimits, _ db: Database) throws {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pep_nodes WHERE owner = ?", arguments: [owner]) ?? 0
        if count >= limits.maxNodes {
            throw StoreError(.limitReached, "\(owner) already has \(count) PEP nodes, the most allowed")
        }
        try db.execute(sql: """
            INSERT INTO pep_nodes (owner, node, access_model, max_items, persist_items, send_last_published_item, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [owner, node.name, node.config.accessModel, node.config.maxItems, node.config.persistItems,
                             node.config.sendLastPublishedItem, millis(Date())])
    }

    /// Keeps the newest `keep` items of a node.
    private static func trim(owner: String, node: String, keep: Int, _ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM pep_items WHERE owner = ? AND node = ? AND seq NOT IN
                (SELECT seq FROM pep_items WHERE owner = ? AND node = ? ORDER BY seq DESC LIMIT ?)
            """, arguments: [owner, node, owner, node, max(0, keep)])
    }

    private static func checkAccountBytes(owner: String, limits: PEPLimits, _ db: Database) throws {
        let bytes = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(length(CAST(payload AS BLOB))), 0) FROM pep_items WHERE owner = ?",
                                     arguments: [owner]) ?? 0
        if bytes > limits.maxAccountBytes {
            throw StoreError(.limitReached, "the PEP items of \(owner) would take \(bytes) bytes, more than \(limits.maxAccountBytes)")
        }
    }

    private static func node(from row: Row) throws -> PEPNode {
        PEPNode(name: try row.decode(String.self, forColumn: "node"),
                config: PEPNodeConfig(accessModel: try row.decode(String.self, forColumn: "access_model"),
                                      maxItems: try row.decode(Int.self, forColumn: "max_items"),
                                      persistItems: try row.decode(Bool.self, forColumn: "persist_items"),
                                      sendLastPublishedItem: try row.decode(String.self, forColumn: "send_last_published_item")))
    }

    private static func item(from row: Row) throws -> PEPItem {
        PEPItem(id: try row.decode(String.self, forColumn: "item_id"),
                payload: try row.decode(String.self, forColumn: "payload"),
                publisher: try row.decode(String?.self, forColumn: "publisher"),
                publishedAt: Date(timeIntervalSince1970: Double(try row.decode(Int64.self, forColumn: "published_at")) / 1000))
    }
}
