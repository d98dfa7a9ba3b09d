import PersistentChat
import XMPPCore

enum MUCRole: String, Sendable { case moderator, participant, visitor, none }
enum MUCAffiliation: String, Sendable { case owner, admin, member, none, outcast }

/// One occupant of a room: a nickname held by one user, possibly from several resources.
struct Occupant: Sendable {
    let nick: String
    let user: String
    /// The user's resources in the room (XEP-0045 multi-session).
    var sessions: Set<JID>
    var role: MUCRole
    var affiliation: MUCAffiliation
    let occupantID: String
    /// Muted by a manager in a Normal room (visitor) until it leaves.
    var muted = false
    /// The last presence the occupant sent (show, status…), without addressing.
    var presence: XMLElement

    /// The occupant's presence as the room broadcasts it (non-anonymous: real JID included).
    /// `exitStatus` is the `<status>` text a leaving occupant gave.
    func broadcastPresence(from room: JID, to recipient: JID, statuses: [MUCStatus] = [], unavailable: Bool = false,
                           extra: [XMLElement] = [], exitStatus: [XMLElement] = []) -> XMLElement {
        var stanza = unavailable ? XMLElement("presence", namespace: NS.client, attributes: ["type": "unavailable"]) : presence
        for status in exitStatus.prefix(1) { stanza.append(status) }
        stanza[attribute: "from"] = (try? room.with(resource: nick))?.description ?? room.description
        stanza[attribute: "to"] = recipient.description
        stanza.removeChildren("x", namespace: MUC.user)
        stanza.removeChildren("occupant-id", namespace: MUC.occupantID)
        var x = XMLElement("x", namespace: MUC.user)
        var item = XMLElement("item", namespace: MUC.user, attributes: [
            "affiliation": affiliation.rawValue, "role": unavailable ? "none" : role.rawValue,
        ])
        if let first = sessions.sorted().first { item[attribute: "jid"] = first.description }
        for element in extra where element.name != "status" { item.append(element) }
        x.append(item)
        for element in extra where element.name == "status" { x.append(element) }
        for status in statuses { x.append(XMLElement("status", namespace: MUC.user, attributes: ["code": "\(status.rawValue)"])) }
        stanza.append(x)
        stanza.append(XMLElement("occupant-id", namespace: MUC.occupantID, attributes: ["id": occupantID]))
        return stanza
    }
}

/// The XEP-0045 role and affiliation for what PersistentChat says a user is in a room
/// (`Rules/RoomStanding.swift`).
enum RoomStanding {
    static func role(_ access: RoomAccess, room: Room, silenced: Bool = false) -> MUCRole {
        switch access.role(in: room, silenced: silenced) {
        case .moderator: .moderator
        case .participant: .participant
        case .visitor: .visitor
        }
    }

    static func affiliation(_ access: RoomAccess, user: String, room: Room, directory: ChatDirectory) -> MUCAffiliation {
        switch directory.affiliation(of: user, access: access, in: room) {
        case .manager: .owner
        case .member: .member
        case .outcast: .outcast
        case .none: .none
        }
    }
}
