import Foundation
import XMPPCore

/// The subject as a groupchat message, from the room or from the occupant who set it: what a
/// joiner gets last (`SubjectFeature`, or empty while a room is being created) and what a change
/// broadcasts.
enum SubjectMessage {
    static func make(_ subject: String, author nick: String?, room: JID, to session: JID) -> XMLElement {
        let from = nick.flatMap { try? room.with(resource: $0) } ?? room
        return XMLElement("message", namespace: NS.client, attributes: [
            "type": "groupchat", "from": from.description, "to": session.description, "id": UUID().uuidString,
        ], children: [.element(.text("subject", namespace: NS.client, subject))])
    }
}
