import SalonStore

/// Fixed bounds on what one account keeps in private storage and PEP (README, Limits).
enum PersonalDataLimits {
    static let privateStorage = PrivateStorageLimits(maxNamespaces: 64, maxBytes: 1 << 20)
    static let pep = PEPLimits(maxNodes: 256, maxItemsPerNode: 1000, maxItemBytes: 128 << 10, maxAccountBytes: 8 << 20)
    /// Explicit subscribers per node.
    static let maxSubscribers = 1000
    /// Item ids and node names are identifiers.
    static let maxIdentifierBytes = 1023
    /// Item ids asked for in one items request.
    static let maxRequestedItems = 1000
    /// Payload bytes in one items answer: beyond it the newest items that fit are sent, with
    /// a XEP-0059 count of all.
    static let maxItemsReplyBytes = 1 << 20
}
