import PersistentChat
import SalonSecurity

/// The hash chain over the journal: each event's hash is SHA-256 over a canonical encoding of
/// its sequence, time, type, actors, room, payload and the previous event's hash, so changing,
/// inserting, dropping or reordering a row breaks the chain at that row.
public enum ComplianceChain {
    /// The previous hash of the first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// Lowercase hex SHA-256 of the canonical encoding: a version line, then each field as its
    /// UTF-8 byte length, a colon, the bytes and a newline (no field can run into the next).
    public static func hash(seq: Int64, time: Int64, type: String, actorBare: String, actorFull: String, room: String,
                            payload: String, previous: String) -> String {
        var bytes = Array("salon-compliance-1\n".utf8)
        for field in ["\(seq)", "\(time)", type, actorBare, actorFull, room, payload, previous] {
            bytes.append(contentsOf: "\(field.utf8.count):".utf8)
            bytes.append(contentsOf: field.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        return Hex.encode(Crypto.hash(.sha256, bytes))
    }

    static func hash(seq: Int64, _ event: ComplianceEvent, previous: String) -> String {
        hash(seq: seq, time: event.time, type: event.type.rawValue, actorBare: event.actorBare, actorFull: event.actorFull,
             room: event.room, payload: event.payload, previous: previous)
    }
}
