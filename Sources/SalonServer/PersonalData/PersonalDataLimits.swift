import SalonStore

/// Bounds on what one account keeps in private storage and PEP (README, Limits): the
/// `limits.private_storage_*` and `limits.pep_*` keys, defaults here.
public struct PersonalDataLimits: Sendable {
    /// Namespaces (stored elements) and bytes of one account's private XML storage (XEP-0049).
    public var privateStorageNamespaces = 64
    public var privateStorageBytes = 1 << 20
    /// PEP nodes per account, items one node keeps, bytes of one item and of all the account's items.
    public var pepNodes = 256
    public var pepItemsPerNode = 1000
    public var pepItemBytes = 128 << 10
    public var pepAccountBytes = 8 << 20
    /// Explicit subscribers per node.
    public var pepSubscribersPerNode = 1000
    /// Payload bytes in one items answer: beyond it the newest items that fit are sent, with
    /// a XEP-0059 count of all.
    public var pepItemsReplyBytes = 1 << 20

    public init() {}

    var privateStorage: PrivateStorageLimits {
        PrivateStorageLimits(maxNamespaces: privateStorageNamespaces, maxBytes: privateStorageBytes)
    }

    var pep: PEPLimits {
        PEPLimits(maxNodes: pepNodes, maxItemsPerNode: pepItemsPerNode, maxItemBytes: pepItemBytes, maxAccountBytes: pepAccountBytes)
    }

    /// Item ids and node names are identifiers (fixed: a bound on parsing, not on storage).
    static let maxIdentifierBytes = 1023
    /// Item ids asked for in one items or retract request (fixed, likewise).
    static let maxRequestedItems = 1000
}
