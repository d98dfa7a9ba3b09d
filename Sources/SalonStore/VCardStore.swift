/// A stored vCard: its XML and its photo's hash (nil: no photo).
public struct VCardEntry: Sendable, Hashable {
    public var xml: String
    public var photoHash: String?

    public init(xml: String, photoHash: String?) {
        self.xml = xml
        self.photoHash = photoHash
    }
}

/// Each account's vCard (XEP-0054), kept as the serialised `<vCard/>` the owner last set, with
/// the SHA-1 of its photo (XEP-0153) when it has one, on whichever backend the deployment uses
/// (`SQLiteVCardStore`, `PostgresVCardStore`). Size limits are the caller's.
public protocol VCardStore: Sendable {
    typealias Entry = VCardEntry

    /// The owner's vCard, or nil if it never set one.
    func vCard(owner: String) async throws -> VCardEntry?

    /// The owner's photo hash for presence (XEP-0153): "" for a vCard without photo, nil when
    /// it has no vCard; handed to `completion`, for the login.
    func photoHash(owner: String, completion: @escaping @Sendable (Result<String?, any Error>) -> Void)

    /// Replaces the owner's vCard. Throws userNotFound for an unknown owner.
    func setVCard(owner: String, _ entry: VCardEntry) async throws
}

extension VCardEntry {
    /// Throws invalidArgument for a vCard neither backend can store.
    func check() throws {
        try PostgresText.check(xml, "vCard")
        try PostgresText.check(photoHash ?? "", "vCard photo hash")
    }
}
