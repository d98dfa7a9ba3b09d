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

/// XEP-0049 private XML storage: one serialised element per account and namespace, on
/// whichever backend the deployment uses (`SQLitePrivateStorageStore`,
/// `PostgresPrivateStorageStore`). SalonStore does not parse XML; the server hands it
/// serialised elements.
public protocol PrivateStorageStore: Sendable {
    /// The element stored under `namespace`, serialised, or nil.
    func element(owner: String, namespace: String) async throws -> String?

    /// Stores each (namespace, element) pair, replacing what was there, all or nothing; throws
    /// limitReached (writing nothing) when the account would go over `limits`, userNotFound for
    /// an unknown owner.
    func store(owner: String, elements: [(namespace: String, element: String)], limits: PrivateStorageLimits) async throws
}

extension PrivateStorageStore {
    /// Throws invalidArgument for a pair neither backend can store.
    static func check(elements: [(namespace: String, element: String)]) throws {
        for entry in elements {
            try InputLimits.checkBareJID(entry.namespace, "namespace")
            try PostgresText.check(entry.namespace, "namespace")
            try PostgresText.check(entry.element, "private XML")
        }
    }

    /// The refusal when the account would go over `limits`, or nil.
    static func excess(owner: String, count: Int, bytes: Int, limits: PrivateStorageLimits) -> StoreError? {
        if count > limits.maxNamespaces {
            return StoreError(.limitReached, "private storage of \(owner) would hold \(count) namespaces, more than \(limits.maxNamespaces)")
        }
        if bytes > limits.maxBytes {
            return StoreError(.limitReached, "private storage of \(owner) would hold \(bytes) bytes, more than \(limits.maxBytes)")
        }
        return nil
    }
}
