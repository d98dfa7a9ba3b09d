import PersistentChat
import SalonStore

/// Writes journal events as JSON Lines: one object per event with every column, the times as
/// the XML writes them, and the payload (a JSON object, or a CHAT's stanza as a string).
struct ComplianceJSONLinesAdapter {
    let context: ComplianceExportContext

    func document(_ events: [ComplianceRecord]) -> String {
        var out = ""
        for event in events {
            let time = ComplianceTime(milliseconds: event.time)
            let isChat = event.type == ComplianceEventType.chat.rawValue
            var fields: [(String, CompliancePayload.Value?)] = [
                ("seq", .number(event.seq)), ("type", .text(event.type)),
                ("time", .number(event.time)), ("time_utc", .text(time.iso8601)), ("ticks", .number(time.ticks)),
                ("actor_bare", .text(event.actorBare)), ("actor_full", .text(event.actorFull)),
                ("room", .text(event.room)),
                ("room_jid", event.room.isEmpty ? nil : .text("\(event.room)@\(context.chatDomain)")),
            ]
            if isChat { fields.append(("stanza", .text(event.payload))) }
            fields += [("prev_hash", .text(event.prevHash)), ("hash", .text(event.hash))]
            var line = CompliancePayload(fields).json
            if !isChat {
                // The payload is already a JSON object: spliced in as it is.
                line.removeLast()
                line += ",\"payload\":" + event.payload + "}"
            }
            out += line + "\n"
        }
        return out
    }
}
