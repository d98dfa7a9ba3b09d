import SalonSecurity

/// Stable, per-room pseudonyms of users (XEP-0421), keyed by a secret kept in storage: the same
/// user gets the same id in a room across restarts, and ids do not link rooms.
struct OccupantIDs: Sendable {
    let secret: [UInt8]

    func id(user: String, room: String) -> String {
        Base64.encode(Array(Crypto.hmac(.sha256, key: secret, data: Array("\(room)\u{0}\(user)".utf8)).prefix(15)))
    }
}
