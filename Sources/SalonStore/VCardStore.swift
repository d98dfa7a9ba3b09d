import GRDB

/// Each account's vCard (XEP-0054), kept as the serialised `<vCard/>` the owner last set, with
/// the SHA-1 of its photo (XEP-0153) when it has one. Size limits are the caller's.
public struct VCardStore: Sendable {
    let access: StoreAccess

    /// A stored vCard: its XML and its photo's hash (nil: no photo).
    public struct Entry: Sendable, Hashable {
        public var xml: String
        public var photoHash: String?

        public init(xml: String, photoHash: String?) {
            self.xml = xml
            self.photoHash = photoHash
        }
    }

    /// The owner's vCard, or nil if it never set one.
    public func vCard(owner: String) async throws -> Entry? {
        try await access.lookUp { db in
            try Row.fetchOne(db, sql: "SELECT xml, photo_hash FROM vcards WHERE owner = ?", arguments: [owner]).map { row in
                Entry(xml: try row.decode(String.self, forColumn: "xml"), photoHash: try row.decode(String?.self, forColumn: "photo_hash"))
            }
        }
    }

    /// The owner's photo hash for presence (XEP-0153): "" for a vCard without photo, nil when
    /// it has no vCard; answered on a GRDB thread, for the login.
    public func photoHash(owner: String, completion: @escaping @Sendable (Result<String?, any Error>) -> Void) {
        access.lookUp({ db in
            try String.fetchOne(db, sql: "SELECT COALESCE(photo_hash, '') FROM vcards WHERE owner = ?", arguments: [owner])
        }, completion: completion)
    }

    /// Replaces the owner's vCard. Throws userNotFound for an unknown owner.
    public func setVCard(owner: String, _ entry: Entry) async throws {
        try await access.write { db in
            try db.requireUser(owner)
            try db.execute(sql: """
                INSERT INTO vcards (owner, xml, photo_hash) VALUES (?, ?, ?)
                ON CONFLICT (owner) DO UPDATE SET xml = excluded.xml, photo_hash = excluded.photo_hash
                """, arguments: [owner, entry.xml, entry.photoHash])
        }
    }
}
