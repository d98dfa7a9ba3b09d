import SalonStore

/// Fixed bounds on what one account keeps in private storage (README, Limits).
enum PersonalDataLimits {
    static let privateStorage = PrivateStorageLimits(maxNamespaces: 64, maxBytes: 1 << 20)
}
