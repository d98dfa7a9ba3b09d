import PostgresNIO

/// Subscriptions, affiliations (XEP-0060 §5.6, §8.9) and items found across accounts, on PostgreSQL.
extension PostgresPEPStore {
    func subscribe(owner: String, node: String, jid: String, maxSubscribers: Int) async throws -> Bool {
        try InputLimits.checkBareJID(jid)
        try PostgresText.check(jid, "JID")
        guard PostgresText.isStorable(node) else { return false }
        return try await access.transaction { transaction in
            guard try await transaction.lockOwner(owner),
                  try await Self.node(owner: owner, node: node, transaction) != nil else { return false }
            let count = try await transaction.query("""
                SELECT count(*) FROM pep_subscriptions WHERE owner = \(owner) AND node = \(node)
                """).first?.decode(Int.self) ?? 0
            let present = try await !transaction.query("""
                SELECT 1 FROM pep_subscriptions WHERE owner = \(owner) AND node = \(node) AND jid = \(jid)
                """).isEmpty
            if !present, count >= maxSubscribers {
                throw StoreError(.limitReached, "node \(node) of \(owner) already has \(count) subscribers")
            }
            try await transaction.query("""
                INSERT INTO pep_subscriptions (owner, node, jid) VALUES (\(owner), \(node), \(jid)) ON CONFLICT DO NOTHING
                """)
            return true
        }
    }

    func unsubscribe(owner: String, node: String, jid: String) async throws -> Bool {
        guard [owner, node, jid].allSatisfy(PostgresText.isStorable) else { return false }
        return try await !access.query("""
            DELETE FROM pep_subscriptions WHERE owner = \(owner) AND node = \(node) AND jid = \(jid) RETURNING 1
            """).isEmpty
    }

    func subscribers(owner: String, node: String) async throws -> [String] {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(node) else { return [] }
        return try await access.query("""
            SELECT jid FROM pep_subscriptions WHERE owner = \(owner) AND node = \(node) ORDER BY jid
            """).map { try $0.decode(String.self) }
    }

    func affiliations(owner: String, node: String) async throws -> [(jid: String, affiliation: String)]? {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(node) else { return nil }
        // The node's own row tells "no node" from "no affiliations".
        let rows = try await access.query("""
            SELECT a.jid, a.affiliation FROM pep_nodes n LEFT JOIN pep_affiliations a ON a.owner = n.owner AND a.node = n.node
            WHERE n.owner = \(owner) AND n.node = \(node) ORDER BY a.jid
            """)
        guard !rows.isEmpty else { return nil }
        return try rows.compactMap { row in
            let (jid, affiliation) = try row.decode((String?, String?).self)
            guard let jid, let affiliation else { return nil }
            return (jid: jid, affiliation: affiliation)
        }
    }

    func affiliation(owner: String, node: String, jid: String) async throws -> String? {
        guard [owner, node, jid].allSatisfy(PostgresText.isStorable) else { return nil }
        return try await access.query("""
            SELECT affiliation FROM pep_affiliations WHERE owner = \(owner) AND node = \(node) AND jid = \(jid)
            """).first?.decode(String.self)
    }

    func affiliations(owner: String, of jid: String) async throws -> [(node: String, affiliation: String)] {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(jid) else { return [] }
        return try await access.query("""
            SELECT node, affiliation FROM pep_affiliations WHERE owner = \(owner) AND jid = \(jid) ORDER BY node
            """).map { row in
            let (node, affiliation) = try row.decode((String, String).self)
            return (node: node, affiliation: affiliation)
        }
    }

    func setAffiliations(owner: String, node: String, _ changes: [(jid: String, affiliation: String)], limit: Int) async throws -> Bool {
        try Self.check(affiliations: changes)
        guard PostgresText.isStorable(node) else { return false }
        let changes = changes.map { ($0.jid, $0.affiliation) }
        return try await access.transaction { transaction in
            guard try await transaction.lockOwner(owner),
                  try await Self.node(owner: owner, node: node, transaction) != nil else { return false }
            for (jid, affiliation) in changes {
                if affiliation == "none" {
                    try await transaction.query("DELETE FROM pep_affiliations WHERE owner = \(owner) AND node = \(node) AND jid = \(jid)")
                } else {
                    try await transaction.query("""
                        INSERT INTO pep_affiliations (owner, node, jid, affiliation) VALUES (\(owner), \(node), \(jid), \(affiliation))
                        ON CONFLICT (owner, node, jid) DO UPDATE SET affiliation = excluded.affiliation
                        """)
                }
            }
            let count = try await transaction.query("""
                SELECT count(*) FROM pep_affiliations WHERE owner = \(owner) AND node = \(node)
                """).first?.decode(Int.self) ?? 0
            if count > limit { throw StoreError(.limitReached, "node \(node) of \(owner) would have \(count) affiliations, more than \(limit)") }
            return true
        }
    }

    func subscriptions(owner: String, of jid: String) async throws -> [(node: String, jid: String)] {
        guard PostgresText.isStorable(owner), PostgresText.isStorable(jid) else { return [] }
        // ILIKE folds ASCII case only under the column's "C" collation, as SQLite's LIKE does.
        let resources = Self.likeEscaped(jid) + "/%"
        return try await access.query("""
            SELECT node, jid FROM pep_subscriptions WHERE owner = \(owner) AND (jid = \(jid) OR jid ILIKE \(resources) ESCAPE '\\')
            ORDER BY node, jid
            """).map { row in
            let (node, jid) = try row.decode((String, String).self)
            return (node: node, jid: jid)
        }
    }

    func holders(ofItems ids: Set<String>, in node: String) async throws -> [(owner: String, itemID: String)] {
        // SQLite's NOCASE folds ASCII letters only; so does lower() under the "C" collation.
        let folded = ids.filter(PostgresText.isStorable).map(Self.asciiLowercased)
        guard !folded.isEmpty, PostgresText.isStorable(node) else { return [] }
        return try await access.query("""
            SELECT owner, item_id FROM pep_items WHERE node = \(node) AND lower(item_id) = ANY(\(folded)::text[])
            ORDER BY owner, item_id
            """).map { row in
            let (owner, itemID) = try row.decode((String, String).self)
            return (owner: owner, itemID: itemID)
        }
    }

    private static func asciiLowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
