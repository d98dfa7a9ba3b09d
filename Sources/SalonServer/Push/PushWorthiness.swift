import XMPPCore

/// Which stanzas wake a device (XEP-0357 leaves it to the server). As Prosody's
/// mod_cloud_notify and Conversations expect: a message with a body, an encrypted message
/// (OMEMO), a call proposal or an invitation; never chat states, receipts, markers, errors,
/// headlines or copies of what the user sent from another device. A room message wakes only
/// per the room's notification setting (`RoomNotificationSetting`).
enum PushWorthiness {
    private static let carbons = "urn:xmpp:carbons:2"
    private static let forward = "urn:xmpp:forward:0"
    private static let mucUser = "http://jabber.org/protocol/muc#user"
    private static let encryption = ["eu.siacs.conversations.axolotl", "urn:xmpp:omemo:2"]

    /// The message the notification is about (a received carbon's inner message), or nil when
    /// the stanza wakes no one.
    static func subject(of stanza: XMLElement) -> XMLElement? {
        guard stanza.name == "message" else { return nil }
        let type = stanza[attribute: "type"] ?? "normal"
        guard type != "error", type != "headline" else { return nil }
        if stanza.child("sent", namespace: carbons) != nil { return nil }
        if let received = stanza.child("received", namespace: carbons) {
            guard let inner = received.child("forwarded", namespace: forward)?.child("message", namespace: NS.client) else { return nil }
            return subject(of: inner)
        }
        return isImportant(stanza) ? stanza : nil
    }

    private static func isImportant(_ message: XMLElement) -> Bool {
        if let body = body(of: message), !body.isEmpty { return true }
        return message.elements.contains { child in
            switch child.namespace {
            case _ where encryption.contains(child.namespace): child.name == "encrypted"
            case "urn:xmpp:jingle-message:0": child.name == "propose"
            case "jabber:x:conference": child.name == "x"
            case mucUser: child.child("invite", namespace: mucUser) != nil
            default: false
            }
        }
    }

    static func body(of message: XMLElement) -> String? {
        message.child("body", namespace: NS.client)?.text
    }
}
