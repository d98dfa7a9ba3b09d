import Foundation
import SalonStore

/// One line of `compliance.jsonl`: a journal row exactly as stored, so its hash still holds
/// (`since1970` is the time the hash covers, milliseconds since 1970 UTC).
struct ComplianceEventDocument: Codable, Hashable {
    var seq: Int64
    var since1970: Int64
    var type: String
    var actorBare: String
    var actorFull: String
    var room: String
    var payload: String
    var prevHash: String
    var hash: String
    /// When the exporter wrote it out (milliseconds since 1970), or null while it waits.
    var exportedAt: Int64?

    init(_ record: ComplianceRecord) {
        seq = record.seq
        since1970 = record.time
        type = record.type
        actorBare = record.actorBare
        actorFull = record.actorFull
        room = record.room
        payload = record.payload
        prevHash = record.prevHash
        hash = record.hash
        exportedAt = record.exportedAt
    }

    var record: ComplianceRecord {
        ComplianceRecord(seq: seq, time: since1970, type: type, actorBare: actorBare, actorFull: actorFull, room: room,
                         payload: payload, prevHash: prevHash, hash: hash, exportedAt: exportedAt)
    }
}
