import Foundation
import PostgresNIO

/// `PEPStore` on PostgreSQL: the same rules as `SQLitePEPStore`. Every write that checks before
/// it writes (node, item and byte limits, subscribers, affiliations) locks the owner's user row
/// first, so one owner's PEP changes run one at a time across nodes and the limits hold.
struct PostgresPEPStore: PEPStore {
    let access: PostgresAccess

    func nodes(owner: String) async throws -> [PEPNode] {
        guard PostgresText.isStorable(owner) else { return [] }
        return try await access.query("\(unescaped: Self.nodeColumns) WHERE owner = \(owner) ORDER BY node").map(Self.node(from:))
    }

    func node(owner: String, node: String) async throws -> PEPNode? {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(node) else { return nil }
        return try await access.query("\(unescaped: Self.nodeColumns) WHERE owner = \(owner) AND node = \(node)")
            .first.map(Self.node(from:))
    }

    func publish(owner: String, node: String, item: PEPItem, newConfig: PEPNodeConfig, limits: PEPLimits,
                 accepts: @escaping @Sendable (PEPNodeConfig) -> Bool) async throws -> PEPPublishOutcome {
        try Self.check(node: node, item: item, limits: limits)
        try Self.check(PEPNode(name: node, config: newConfig))
        return try await access.transaction { transaction in
            try await transaction.requireOwner(owner)
            var created = false
            let current: PEPNode
            if let existing = try await Self.node(owner: owner, node: node, transaction) {
                guard accepts(existing.config) else { return .refused(current: existing.config) }
                current = existing
            } else {
                current = PEPNode(name: node, config: newConfig)
                try await Self.insert(owner: owner, node: current, limits: limits, transaction)
                created = true
            }
            if current.config.persistItems {
                try await transaction.query("DELETE FROM pep_items WHERE owner = \(owner) AND node = \(node) AND item_id = \(item.id)")
                try await transaction.query("""
                    INSERT INTO pep_items (owner, node, item_id, payload, publisher, published_at)
                    VALUES (\(owner), \(node), \(item.id), \(item.payload), \(item.publisher), \(Self.millis(item.publishedAt)))
                    """)
                try await Self.trim(owner: owner, node: node, keep: min(current.config.maxItems, limits.maxItemsPerNode), transaction)
                let bytes = try await transaction.query("""
                    SELECT COALESCE(sum(octet_length(payload)), 0)::bigint FROM pep_items WHERE owner = \(owner)
                    """).first?.decode(Int.self) ?? 0
                if bytes > limits.maxAccountBytes {
                    throw StoreError(.limitReached, "the PEP items of \(owner) would take \(bytes) bytes, more than \(limits.maxAccountBytes)")
                }
            }
            return .published(node: current, created: created)
        }
    }

    func create(owner: String, node: PEPNode, limits: PEPLimits) async throws -> Bool {
        try Self.check(node)
        return try await access.transaction { transaction in
            try await transaction.requireOwner(owner)
            if try await Self.node(owner: owner, node: node.name, transaction) != nil { return false }
            try await Self.insert(owner: owner, node: node, limits: limits, transaction)
            return true
        }
    }

    func configure(owner: String, node: PEPNode, limits: PEPLimits) async throws -> Bool {
        try Self.check(node)
        return try await access.transaction { transaction in
            guard try await transaction.lockOwner(owner) else { return false }
            let config = node.config
            let updated = try await transaction.query("""
                UPDATE pep_nodes SET access_model = \(config.accessModel), max_items = \(config.maxItems),
                    persist_items = \(config.persistItems), send_last_published_item = \(config.sendLastPublishedItem)
                WHERE owner = \(owner) AND node = \(node.name) RETURNING 1
                """)
            guard !updated.isEmpty else { return false }
            let keep = config.persistItems ? min(config.maxItems, limits.maxItemsPerNode) : 0
            try await Self.trim(owner: owner, node: node.name, keep: keep, transaction)
            return true
        }
    }

    func items(owner: String, node: String, ids: [String]?, max: Int?) async throws -> [PEPItem] {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(node) else { return [] }
        if let ids {
            let ids = ids.filter(PostgresText.isStorable)
            guard !ids.isEmpty else { return [] }
            return try await access.query("""
                \(unescaped: Self.itemColumns) WHERE owner = \(owner) AND node = \(node) AND item_id = ANY(\(ids)::text[]) ORDER BY seq
                """).map(Self.item(from:))
        }
        // No limit for nil or a negative count, as SQLite's LIMIT -1.
        let limit = max.flatMap { $0 < 0 ? nil : $0 }
        return try await access.query("""
            SELECT item_id, payload, publisher, published_at FROM
                (SELECT item_id, payload, publisher, published_at, seq FROM pep_items
                 WHERE owner = \(owner) AND node = \(node) ORDER BY seq DESC LIMIT \(limit)) newest
            ORDER BY seq
            """).map(Self.item(from:))
    }

    func lastItems(owner: String) async throws -> [(node: PEPNode, item: PEPItem)] {
        guard PostgresText.isStorable(owner) else { return [] }
        return try await access.query("""
            SELECT n.node, n.access_model, n.max_items, n.persist_items, n.send_last_published_item,
                   i.item_id, i.payload, i.publisher, i.published_at
            FROM pep_nodes n CROSS JOIN LATERAL
                (SELECT item_id, payload, publisher, published_at FROM pep_items
                 WHERE owner = n.owner AND node = n.node ORDER BY seq DESC LIMIT 1) i
            WHERE n.owner = \(owner) ORDER BY n.node
            """).map { row in
            let (name, accessModel, maxItems, persist, sendLast, id, payload, publisher, publishedAt) =
                try row.decode((String, String, Int, Bool, String, String, String, String?, Int64).self)
            return (node: PEPNode(name: name, config: PEPNodeConfig(accessModel: accessModel, maxItems: maxItems,
                                                                    persistItems: persist, sendLastPublishedItem: sendLast)),
                    item: PEPItem(id: id, payload: payload, publisher: publisher, publishedAt: Self.date(publishedAt)))
        }
    }

    func retract(owner: String, node: String, itemID: String) async throws -> Bool {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(node), PostgresText.isStorable(itemID) else { return false }
        return try await !access.query("""
            DELETE FROM pep_items WHERE owner = \(owner) AND node = \(node) AND item_id = \(itemID) RETURNING 1
            """).isEmpty
    }

    func purge(owner: String, node: String) async throws -> Bool {
        guard PostgresText.isStorable(node) else { return false }
        return try await access.transaction { transaction in
            guard try await transaction.lockOwner(owner),
                  try await Self.node(owner: owner, node: node, transaction) != nil else { return false }
            try await transaction.query("DELETE FROM pep_items WHERE owner = \(owner) AND node = \(node)")
            return true
        }
    }

    func delete(owner: String, node: String) async throws -> Bool {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(node) else { return false }
        return try await !access.query("DELETE FROM pep_nodes WHERE owner = \(owner) AND node = \(node) RETURNING 1").isEmpty
    }

    // MARK: Rows

    static let nodeColumns = "SELECT node, access_model, max_items, persist_items, send_last_published_item FROM pep_nodes"
    static let itemColumns = "SELECT item_id, payload, publisher, published_at FROM pep_items"

    static func node(owner: String, node: String, _ transaction: PostgresAccess.Transaction) async throws -> PEPNode? {
        try await transaction.query("\(unescaped: nodeColumns) WHERE owner = \(owner) AND node = \(node)")
            .first.map(Self.node(from:))
    }

    /// Inserts a node within `limits.maxNodes`; the caller holds the owner's row.
    private static func insert(owner: String, node: PEPNode, limits: PEPLimits,
                               _ transaction: PostgresAccess.Transaction) async throws {
        let count = try await transaction.query("SELECT count(*) FROM pep_nodes WHERE owner = \(owner)").first?.decode(Int.self) ?? 0
        if count >= limits.maxNodes {
            throw StoreError(.limitReached, "\(owner) already has \(count) PEP nodes, the most allowed")
        }
        let config = node.config
        try await transaction.query("""
            INSERT INTO pep_nodes (owner, node, access_model, max_items, persist_items, send_last_published_item, created_at)
            VALUES (\(owner), \(node.name), \(config.accessModel), \(config.maxItems), \(config.persistItems),
                    \(config.sendLastPublishedItem), \(millis(Date())))
            """)
    }

    /// Keeps the newest `keep` items of a node.
    private static func trim(owner: String, node: String, keep: Int, _ transaction: PostgresAccess.Transaction) async throws {
        try await transaction.query("""
            DELETE FROM pep_items WHERE owner = \(owner) AND node = \(node) AND seq NOT IN
                (SELECT seq FROM pep_items WHERE owner = \(owner) AND node = \(node) ORDER BY seq DESC LIMIT \(Swift.max(0, keep)))
            """)
    }

    private static func node(from row: PostgresRow) throws -> PEPNode {
        let (name, accessModel, maxItems, persist, sendLast) = try row.decode((String, String, Int, Bool, String).self)
        return PEPNode(name: name, config: PEPNodeConfig(accessModel: accessModel, maxItems: maxItems,
                                                         persistItems: persist, sendLastPublishedItem: sendLast))
    }

    private static func item(from row: PostgresRow) throws -> PEPItem {
        let (id, payload, publisher, publishedAt) = try row.decode((String, String, String?, Int64).self)
        return PEPItem(id: id, payload: payload, publisher: publisher, publishedAt: date(publishedAt))
    }
}
