import XMPPCore

/// How much an inactive client's stream may hold back (XEP-0352); past either bound the held
/// stanzas are sent, never dropped.
struct ClientStateLimits: Sendable {
    var maxHeldStanzas: Int
    var maxHeldBytes: Int
    /// Rooms whose nickname a stream remembers for mention checks; past it, rooms' messages
    /// with a body go at once.
    var maxRoomNicks = 1_000
}

/// One client stream's XEP-0352 state, made when the client first says active or inactive and
/// touched only on the stream's loop. While inactive, unimportant stanzas wait here as the
/// bytes they would have been sent as, in order; a newer presence from the same sender takes
/// the place of the older one (moving to the end, so it stays after what the sender sent before).
final class ClientState {
    let limits: ClientStateLimits
    private(set) var isInactive = false
    /// The user's nickname per room, from the self-presences (status 110) this stream carried.
    private(set) var roomNicks: [String: String] = [:]

    private var held: [[UInt8]?] = []
    private var heldPresence: [String: Int] = [:]
    private(set) var heldCount = 0
    private(set) var heldBytes = 0

    init(limits: ClientStateLimits) {
        self.limits = limits
    }

    var isFull: Bool { heldCount > limits.maxHeldStanzas || heldBytes > limits.maxHeldBytes }

    func setInactive(_ inactive: Bool) { isInactive = inactive }

    /// Keeps `bytes` back; `sender` replaces a presence from the same sender still held.
    func hold(_ bytes: [UInt8], presenceOf sender: String? = nil) {
        if let sender {
            if let previous = heldPresence[sender], let old = held[previous] {
                held[previous] = nil
                heldCount -= 1
                heldBytes -= old.count
            }
            heldPresence[sender] = held.count
        }
        held.append(bytes)
        heldCount += 1
        heldBytes += bytes.count
        // Replaced presences leave gaps; a contact that keeps changing must not grow the array.
        if held.count > 2 * heldCount + 64 { compact() }
    }

    private func compact() {
        var kept: [[UInt8]?] = []
        kept.reserveCapacity(heldCount)
        var moved: [Int: Int] = [:]
        for (index, bytes) in held.enumerated() where bytes != nil {
            moved[index] = kept.count
            kept.append(bytes)
        }
        held = kept
        heldPresence = heldPresence.compactMapValues { moved[$0] }
    }

    /// Everything held, oldest first, one entry per stanza; the queue is empty afterwards.
    func takeHeld() -> [[UInt8]] {
        let out = held.compactMap { $0 }
        held.removeAll(keepingCapacity: false)
        heldPresence.removeAll()
        heldCount = 0
        heldBytes = 0
        return out
    }

    /// Follows the user's nickname in rooms through the self-presences this stream carries:
    /// joined (or renamed, status 303) sets it, left or removed forgets the room.
    func notePresence(_ element: XMLElement) {
        guard element.name == "presence", let from = element[attribute: "from"],
              ClientStateUrgency.isSelfPresence(element) else { return }
        let (room, nick) = ClientStateUrgency.split(from)
        if element[attribute: "type"] == "unavailable" {
            if ClientStateUrgency.statusCodes(element).contains("303"), let renamed = ClientStateUrgency.newNick(element) {
                remember(renamed, in: room)
            } else {
                roomNicks[room] = nil
            }
        } else if element[attribute: "type"] == nil, let nick {
            remember(nick, in: room)
        }
    }

    private func remember(_ nick: String, in room: String) {
        guard roomNicks[room] != nil || roomNicks.count < limits.maxRoomNicks else { return }
        roomNicks[room] = nick
    }

    func disposition(of element: XMLElement) -> ClientStateUrgency.Disposition {
        ClientStateUrgency.disposition(of: element, roomNicks: roomNicks)
    }
}
