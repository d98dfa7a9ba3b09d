import SalonClient
import XMPPCore

/// Joining a MUC room (XEP-0045) in a way Salon, Prosody and ejabberd all accept: no history,
/// and the instant-room form (§10.1.2) when the join created a locked room.
enum RoomJoin {
    static let muc = "http://jabber.org/protocol/muc"
    static let mucUser = "http://jabber.org/protocol/muc#user"
    static let mucOwner = "http://jabber.org/protocol/muc#owner"

    /// Joins `room` (a bare JID) as `nick` and waits for the self-presence; returns whether the join created the room.
    @discardableResult
    static func join(_ client: XMPPClient, room: String, nick: String) async throws -> Bool {
        let occupant = "\(room)/\(nick)"
        client.sendRaw("<presence to='\(occupant)'><x xmlns='\(muc)'><history maxstanzas='0'/></x></presence>")
        let answer = try await client.expect { element in
            element.name == "presence" && element[attribute: "from"] == occupant
                && (element[attribute: "type"] == "error" || statuses(element).contains("110"))
        }
        if answer[attribute: "type"] == "error" {
            throw ClientError("join refused: \(condition(answer))")
        }
        guard statuses(answer).contains("201") else { return false }
        let form = XMLElement("x", namespace: DataForm.namespace, attributes: ["type": "submit"])
        let query = XMLElement("query", namespace: mucOwner, children: [.element(form)])
        let result = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": room],
                                                         children: [.element(query)]))
        guard result[attribute: "type"] == "result" else { throw ClientError("instant room refused: \(condition(result))") }
        return true
    }

    /// The status codes of a MUC presence.
    private static func statuses(_ presence: XMLElement) -> [String] {
        presence.child("x", namespace: mucUser)?.children("status", namespace: mucUser).compactMap { $0[attribute: "code"] } ?? []
    }

    /// The defined condition of a stanza error.
    private static func condition(_ stanza: XMLElement) -> String {
        stanza.child("error", namespace: NS.client)?.elements.first { $0.namespace == NS.stanzaErrors && $0.name != "text" }?.name ?? "?"
    }
}
