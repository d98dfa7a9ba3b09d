import SalonClient
import XMPPCore

/// One more occupant entering a room that is already full: the time from its join presence to
/// the room's subject, which XEP-0045 §7.2.15 sends after the occupants' presence and the
/// history, and how many history messages came before it. Logging in is not timed.
enum LateJoin {
    struct Outcome: Sendable {
        let milliseconds: Double
        let historyMessages: Int
    }

    /// Account `index` logs in, joins `room` as nick `late<index>` asking for `history` messages,
    /// and leaves once the subject arrived.
    static func measure(_ target: Target, account index: Int, room: String, history: Int) async throws -> Outcome {
        let client = try await target.login(account: index)
        defer { Task { await client.close() } }
        let occupant = "\(room)/late\(index)"
        let stopwatch = Stopwatch()
        client.sendRaw("<presence to='\(occupant)'><x xmlns='\(RoomJoin.muc)'><history maxstanzas='\(history)'/></x></presence>")
        let subject = try await client.expect { element in
            element.name == "presence" && element[attribute: "from"] == occupant && element[attribute: "type"] == "error"
                || element.name == "message" && element[attribute: "from"]?.hasPrefix(room) == true
                && element.child("subject", namespace: NS.client) != nil && element.child("body", namespace: NS.client) == nil
        }
        let seconds = stopwatch.seconds
        if subject.name == "presence" { throw BenchError("the late join was refused") }
        let history = client.unclaimed.filter { $0.name == "message" && $0.child("delay", namespace: NS.delay) != nil }.count
        return Outcome(milliseconds: seconds * 1000, historyMessages: history)
    }
}
