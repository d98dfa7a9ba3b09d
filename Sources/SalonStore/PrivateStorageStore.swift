import GRDB

/// Bounds on one account's private XML storage, given by the server.
public struct PrivateStorageLimits: Sendable {
    /// The most namespaces (stored elements) one account keeps.
    public var maxNamespaces: Int
    /// The most bytes of serialised XML one account keeps, all namespaces together.
    public var maxBytes: Int

    public init(maxNamespaces: Int, maxBytes: Int) {
        self.maxNamespaces = maxNamespaces
        self.maxBytes = maxBytes
    }
}

/// XEP-0049 private XML storage: one serialised element per account and namespace.
/// SalonStore does not parse XML; the server hands it serialised elements.
public struct PrivateStorageStore: Sendable {
    let access: StoreAccess

    /// The element stored under `namespace`, serialised, or nil.
    public func element(owner: String, namespace: String) async throws -> String? {
        try await access.read { db in
            try String.fetchOne(db, sql: "SELECT element FROM private_xml WHERE owner = ? AND namespace = ?",
                                arguments: [owner, namespace])
        }
    }

    /// Stores each (namespace, element) pair, replacing what was there, all or nothing; throws
    /// limitReached (writing nothing) when the account would go over `limits`.
    public func store(owner: String, elements: [(namespace: String, element: String)], limits: PrivateStorageLimits) async throws {
        for entry in elements { try InputLimits.checkBareJID(entry.namespace, "namespace") }
        let pairs = elements.map { [$0.namespace, $0.element] }
        try await access.write { db in
            try db.requireUser(owner)
            for pair in pairs {
                try db.execute(sql: """
                    INSERT INTO private_xml (owner, namespace, element) VALUES (?, ?, ?)
                    ON CONFLICT (owner, namespace) DO UPDATE SET element = excluded.element
                    """, arguments: [owner, pair[0], pair[1]])
            }
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(length(CAST(element AS BLOB))), 0) AS bytes FROM private_xml WHERE owner = ?",
                                       arguments: [owner])
            let count: Int = row?["n"] ?? 0
            let bytes: Int = row?["bytes"] ?? 0
            if count > limits.maxNamespaces {
                throw StoreError(.limitReached, "private storage of \(owner) would hold \(count) namespaces, more than \(limits.maxNamespaces)")
            }
            if bytes > limits.maxBytes {
                throw StoreError(.limitReached, "private storage of \(owner) would hold \(bytes) bytes, more than \(limits.maxBytes)")
            }
        }
    }
}
