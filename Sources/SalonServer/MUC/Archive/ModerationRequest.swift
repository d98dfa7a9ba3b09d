import Foundation
import XMPPCore

enum Moderation {
    static let ns = "urn:xmpp:message-moderate:1"
    static let retract = "urn:xmpp:message-retract:1"
    /// XEP-0425 0.2, wrapped in XEP-0422 `apply-to`: what older clients send and look for.
    static let legacyNS = "urn:xmpp:message-moderate:0"
    static let legacyRetract = "urn:xmpp:message-retract:0"
    static let fasten = "urn:xmpp:fasten:0"
}

/// One request to retract a message, in either the current or the legacy (apply-to) form.
struct ModerationRequest {
    /// The room's stanza-id of the message.
    let id: String
    let reason: String?

    /// `<moderate id='…'><retract/><reason/></moderate>` (XEP-0425 1.0).
    init?(current payload: XMLElement) {
        guard let id = payload[attribute: "id"], !id.isEmpty,
              payload.child("retract", namespace: Moderation.retract) != nil else { return nil }
        self.id = id
        reason = payload.child("reason", namespace: Moderation.ns)?.text
    }

    /// `<apply-to id='…'><moderate><retract/><reason/></moderate></apply-to>` (XEP-0425 0.2).
    init?(legacy payload: XMLElement) {
        guard let id = payload[attribute: "id"], !id.isEmpty,
              let moderate = payload.child("moderate", namespace: Moderation.legacyNS),
              moderate.child("retract", namespace: Moderation.legacyRetract) != nil else { return nil }
        self.id = id
        reason = moderate.child("reason", namespace: Moderation.legacyNS)?.text
    }
}

/// What occupants receive when a message is moderated: the XEP-0425 1.0 retraction and, in the
/// same message, the legacy XEP-0422 `apply-to` wrapper that clients of the 0.2 era still read.
enum ModerationNotice {
    /// `by` is the moderator's occupant JID (or the room's); `moderatorID` their occupant-id.
    static func message(room: JID, id: String, by: String, moderatorID: String?, reason: String?) -> XMLElement {
        var retraction = XMLElement("retract", namespace: Moderation.retract, attributes: ["id": id])
        var moderated = XMLElement("moderated", namespace: Moderation.ns, attributes: ["by": by])
        if let moderatorID { moderated.append(XMLElement("occupant-id", namespace: MUC.occupantID, attributes: ["id": moderatorID])) }
        retraction.append(moderated)
        if let reason { retraction.append(.text("reason", namespace: Moderation.retract, reason)) }

        var legacy = XMLElement("moderated", namespace: Moderation.legacyNS, attributes: ["by": by])
        legacy.append(XMLElement("retract", namespace: Moderation.legacyRetract))
        if let reason { legacy.append(.text("reason", namespace: Moderation.legacyNS, reason)) }
        var applyTo = XMLElement("apply-to", namespace: Moderation.fasten, attributes: ["id": id])
        applyTo.append(legacy)

        return XMLElement("message", namespace: NS.client, attributes: [
            "type": "groupchat", "from": room.description, "id": UUID().uuidString,
        ], children: [.element(retraction), .element(applyTo)])
    }

    /// What the archive keeps in place of a moderated message: `by` is the moderator's real JID,
    /// so the record names who removed it.
    static func tombstone(room: JID, id: String, actor: String, moderatorID: String?, reason: String?) -> XMLElement {
        var retracted = XMLElement("retracted", namespace: Moderation.retract, attributes: ["stamp": Timestamp.now()])
        var moderated = XMLElement("moderated", namespace: Moderation.ns, attributes: ["by": actor])
        if let moderatorID { moderated.append(XMLElement("occupant-id", namespace: MUC.occupantID, attributes: ["id": moderatorID])) }
        retracted.append(moderated)
        if let reason { retracted.append(.text("reason", namespace: Moderation.retract, reason)) }
        return XMLElement("message", namespace: NS.client, attributes: ["type": "groupchat", "from": room.description], children: [
            .element(retracted),
            .element(XMLElement("stanza-id", namespace: MUC.stanzaID, attributes: ["id": id, "by": room.description])),
        ])
    }
}
