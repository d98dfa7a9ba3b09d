import Foundation
import GRDB

/// Affiliations on PEP nodes (XEP-0060 §8.9) and the subscriptions one JID holds (§5.6).
extension SQLitePEPStore {
    /// The node's affiliations other than the owner's, by JID (bare JIDs); nil when there is no such node.
    func affiliations(owner: String, node: String) async throws -> [(jid: String, affiliation: String)]? {
        try await access.read { db in
            guard try Self.nodeExists(owner: owner, node: node, db) else { return nil }
            return try Row.fetchAll(db, sql: "SELECT jid, affiliation FROM pep_affiliations WHERE owner = ? AND node = ? ORDER BY jid",
                                    arguments: [owner, node]).map { (jid: $0["jid"], affiliation: $0["affiliation"]) }
        }
    }

    /// `jid`'s affiliation on one node, or nil.
    func affiliation(owner: String, node: String, jid: String) async throws -> String? {
        try await access.read { db in
            try String.fetchOne(db, sql: "SELECT affiliation FROM pep_affiliations WHERE owner = ? AND node = ? AND jid = ?",
                                arguments: [owner, node, jid])
        }
    }

    /// The owner's nodes on which `jid` has an affiliation, with it.
    func affiliations(owner: String, of jid: String) async throws -> [(node: String, affiliation: String)] {
        try await access.read { db in
            try Row.fetchAll(db, sql: "SELECT node, affiliation FROM pep_affiliations WHERE owner = ? AND jid = ? ORDER BY node",
                             arguments: [owner, jid]).map { (node: $0["node"], affiliation: $0["affiliation"]) }
        }
    }

    /// Sets affiliations on an existing node, all or nothing: `member` or `outcast`, or `none` to
    /// remove one. False when there is no such node; limitReached (nothing written) when the node
    /// would have more than `limit`.
    func setAffiliations(owner: String, node: String, _ changes: [(jid: String, affiliation: String)], limit: Int) async throws -> Bool {
        try Self.check(affiliations: changes)
        return try await access.write { db in
            guard try Self.nodeExists(owner: owner, node: node, db) else { return false }
            for change in changes {
                if change.affiliation == "none" {
                    try db.execute(sql: "DELETE FROM pep_affiliations WHERE owner = ? AND node = ? AND jid = ?", arguments: [owner, node, change.jid])
                } else {
                    try db.execute(sql: """
                        INSERT INTO pep_affiliations (owner, node, jid, affiliation) VALUES (?, ?, ?, ?)
                        ON CONFLICT (owner, node, jid) DO UPDATE SET affiliation = excluded.affiliation
                        """, arguments: [owner, node, change.jid, change.affiliation])
                }
            }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pep_affiliations WHERE owner = ? AND node = ?", arguments: [owner, node]) ?? 0
            if count > limit { throw StoreError(.limitReached, "node \(node) of \(owner) would have \(count) affiliations, more than \(limit)") }
            return true
        }
    }

    /// The owner's nodes `jid` (or, for a bare JID, any of its resources) is subscribed to, with the
    /// JID as it subscribed.
    func subscriptions(owner: String, of jid: String) async throws -> [(node: String, jid: String)] {
        try await access.read { db in
            try Row.fetchAll(db, sql: """
                SELECT node, jid FROM pep_subscriptions WHERE owner = ? AND (jid = ? OR jid LIKE ? ESCAPE '\\') ORDER BY node, jid
                """, arguments: [owner, jid, Self.likeEscaped(jid) + "/%"]).map { (node: $0["node"], jid: $0["jid"]) }
        }
    }

    private static func nodeExists(owner: String, node: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM pep_nodes WHERE owner = ? AND node = ?)", arguments: [owner, node]) ?? false
    }
}
