import SalonSecurity
import SalonStore

/// Random secrets the server keeps in the database, made on first start, so what derives
/// from them stays the same across restarts.
enum ServerSecret {
    /// Occupant ids in rooms (XEP-0421).
    static let occupantID = "occupant-id-secret"
    /// The SCRAM salts shown for accounts that do not exist: were they to change on restart
    /// while real accounts' salts stay, probing before and after would tell the two apart.
    static let fakeSalt = "scram-fake-salt-secret"
    /// What signs upload PUT URLs (XEP-0363): kept across restarts, so a slot stays usable.
    static let uploadToken = "upload-token-secret"

    static func load(_ name: String, from database: any StoreBackend) async throws -> [UInt8] {
        let fresh = Crypto.randomBytes(32)
        let stored = try await database.accounts.metadata(name, storingIfAbsent: Base64.encode(fresh))
        if let bytes = Base64.decode(stored), bytes.count >= 16 { return bytes }
        // Unreadable (edited by hand, say): start afresh rather than refuse to serve.
        try await database.accounts.setMetadata(name, Base64.encode(fresh))
        return fresh
    }
}
