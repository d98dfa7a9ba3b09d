import Foundation
import XMPPCore

/// What an inactive client (XEP-0352) is sent at once and what waits until it is active again.
/// Anything a person would want to know now goes at once; current state that the next update
/// replaces (presence) and chatter without content (chat states, receipts, PEP events, room
/// presence, room messages that do not name the user) waits.
enum ClientStateUrgency {
    enum Disposition: Equatable {
        case now
        case hold
        /// Held, replacing any presence from the same sender still waiting.
        case holdLatest(sender: String)
    }

    static let csi = "urn:xmpp:csi:0"
    private static let mucUser = "http://jabber.org/protocol/muc#user"
    private static let carbons = "urn:xmpp:carbons:2"
    private static let forward = "urn:xmpp:forward:0"

    /// `roomNicks`: the user's nickname per room JID it is in (see `ClientState.notePresence`).
    static func disposition(of element: XMLElement, roomNicks: [String: String]) -> Disposition {
        let type = element[attribute: "type"]
        if type == "error" { return .now }
        switch element.name {
        case "presence": return presence(element, type: type)
        case "message": return message(element, type: type, roomNicks: roomNicks, unwrapCarbon: true)
        default: return .now
        }
    }

    private static func presence(_ element: XMLElement, type: String?) -> Disposition {
        switch type {
        case nil:
            // A room's own presence for the user waits too, so a join made while inactive still
            // arrives in XEP-0045 order: occupants, the user, history, subject.
            return .holdLatest(sender: element[attribute: "from"] ?? "")
        case "unavailable":
            // Being removed from a room (kicked, banned, room destroyed) is news, not chatter.
            if isSelfPresence(element) { return .now }
            return .holdLatest(sender: element[attribute: "from"] ?? "")
        default:
            // Subscription requests and answers: someone is asking the user something.
            return .now
        }
    }

    private static func message(_ element: XMLElement, type: String?, roomNicks: [String: String], unwrapCarbon: Bool) -> Disposition {
        if unwrapCarbon, let forwarded = carbonCopy(element) {
            return message(forwarded, type: forwarded[attribute: "type"], roomNicks: roomNicks, unwrapCarbon: false)
        }
        if let body = element.child("body", namespace: NS.client)?.text {
            guard type == "groupchat" else { return .now }
            return groupchat(element, body: body, roomNicks: roomNicks)
        }
        for child in element.elements where isUrgentPayload(child) { return .now }
        return .hold
    }

    /// A room message goes at once when it names the user; in a room whose nickname this stream
    /// has not seen (joined before the client first sent its state) every message with a body
    /// goes at once, since a mention cannot be told.
    private static func groupchat(_ element: XMLElement, body: String, roomNicks: [String: String]) -> Disposition {
        guard let from = element[attribute: "from"] else { return .now }
        let (room, sender) = split(from)
        guard let nick = roomNicks[room] else { return .now }
        if sender == nick { return .hold }  // the user's own post, from another device
        return mentions(body, nick: nick) ? .now : .hold
    }

    /// Whether a room message's body names the user (also what wakes a phone, `RoomNotificationSetting`).
    static func mentions(_ body: String, nick: String) -> Bool {
        body.range(of: nick, options: [.caseInsensitive, .diacriticInsensitive]) != nil
    }

    /// Payloads without a body that still want the user: invitations, archive query results
    /// (the client waits for them), call proposals.
    private static func isUrgentPayload(_ child: XMLElement) -> Bool {
        switch child.namespace {
        case "jabber:x:conference", "urn:xmpp:jingle-message:0": return true
        case mucUser: return child.child("invite", namespace: mucUser) != nil || child.child("decline", namespace: mucUser) != nil
        default: return child.name == "result" && child.namespace.hasPrefix("urn:xmpp:mam:")
        }
    }

    private static func carbonCopy(_ element: XMLElement) -> XMLElement? {
        guard let wrapper = element.child("received", namespace: carbons) ?? element.child("sent", namespace: carbons) else { return nil }
        return wrapper.child("forwarded", namespace: forward)?.child("message", namespace: NS.client)
    }

    static func isSelfPresence(_ element: XMLElement) -> Bool {
        statusCodes(element).contains("110")
    }

    static func statusCodes(_ element: XMLElement) -> [String] {
        element.child("x", namespace: mucUser)?.children("status", namespace: mucUser).compactMap { $0[attribute: "code"] } ?? []
    }

    static func newNick(_ element: XMLElement) -> String? {
        element.child("x", namespace: mucUser)?.child("item", namespace: mucUser)?[attribute: "nick"]
    }

    /// "room@service/nick" → ("room@service", "nick").
    static func split(_ address: String) -> (bare: String, resource: String?) {
        guard let slash = address.firstIndex(of: "/") else { return (address, nil) }
        return (String(address[..<slash]), String(address[address.index(after: slash)...]))
    }
}
