/// One device's XEP-0357 registration: the push service's JID, the node on it and the
/// publish-options form to send with each notification (serialised XML; the store parses none).
public struct PushRegistration: Sendable, Hashable {
    public var service: String
    public var node: String
    public var options: String?

    public init(service: String, node: String, options: String? = nil) {
        self.service = service
        self.node = node
        self.options = options
    }

    /// Throws invalidArgument for a registration neither backend can store.
    func check() throws {
        try PostgresText.check(service, "push service")
        try PostgresText.check(node, "push node")
        try PostgresText.check(options ?? "", "push options")
    }
}

/// Push registrations per account, bounded by the caller's limit, on whichever backend the
/// deployment uses (`SQLitePushStore`, `PostgresPushStore`).
public protocol PushStore: Sendable {
    /// The owner's registrations, by service then node (their bytes).
    func registrations(owner: String) async throws -> [PushRegistration]

    /// Adds the registration, or replaces the options of the same (service, node) (XEP-0357 §5:
    /// the last request wins). Throws limitReached (writing nothing) when a new one would make
    /// more than `limit`, userNotFound for an unknown owner.
    func enable(owner: String, _ registration: PushRegistration, limit: Int) async throws

    /// Removes the owner's registrations with `service` (only the one with `node` when given);
    /// returns how many went.
    @discardableResult
    func disable(owner: String, service: String, node: String?) async throws -> Int
}

extension PushStore {
    /// Removes all of the owner's registrations with `service`; returns how many went.
    @discardableResult
    public func disable(owner: String, service: String) async throws -> Int {
        try await disable(owner: owner, service: service, node: nil)
    }
}
