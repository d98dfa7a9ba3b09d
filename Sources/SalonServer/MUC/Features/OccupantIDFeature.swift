import PersistentChat
import XMPPCore

/// Occupant identifiers (XEP-0421): every post carries the sender's stable, anonymous id for
/// this room, and clients may not forge one. (Presence carries it too: `Occupant.broadcastPresence`.)
struct OccupantIDFeature: RoomFeature {
    func discoFeatures(_ context: RoomContext) -> [String] {
        [MUC.occupantID]
    }

    func stamp(_ post: inout XMLElement, by occupant: Occupant) {
        // XEP-0421 §4: the room removes any occupant-id the client sent.
        post.removeChildren("occupant-id", namespace: MUC.occupantID)
        post.append(XMLElement("occupant-id", namespace: MUC.occupantID, attributes: ["id": occupant.occupantID]))
    }
}
