import XMPPCore

/// The namespaces of XEP-0045 and the extensions rooms use.
enum MUC {
    static let ns = "http://jabber.org/protocol/muc"
    static let user = "http://jabber.org/protocol/muc#user"
    static let admin = "http://jabber.org/protocol/muc#admin"
    static let owner = "http://jabber.org/protocol/muc#owner"
    static let roomConfig = "http://jabber.org/protocol/muc#roomconfig"
    static let roomInfo = "http://jabber.org/protocol/muc#roominfo"
    /// Voice requests (§7.13).
    static let request = "http://jabber.org/protocol/muc#request"
    static let directInvitation = "jabber:x:conference"
    static let stanzaID = "urn:xmpp:sid:0"
    static let occupantID = "urn:xmpp:occupant-id:0"
    static let stableID = "http://jabber.org/protocol/muc#stable_id"
    static let selfPingOptimization = "http://jabber.org/protocol/muc#self-ping-optimization"
    /// Persistent-chat fields in room info and configuration forms.
    static let salon = "urn:salon:persistent-chat"
}

/// XEP-0045 status codes used in presence.
enum MUCStatus: Int {
    case nonAnonymous = 100
    case selfPresence = 110
    case configurationChanged = 104
    case logged = 170
    case created = 201
    case banned = 301
    case nickChanged = 303
    case kicked = 307
    case affiliationChanged = 321
    case membersOnly = 322
    case shutdown = 332
    case removedByError = 333
}

extension XMLElement {
    /// `<name xmlns=ns>text</name>`.
    static func text(_ name: String, namespace: String, _ text: String) -> XMLElement {
        var element = XMLElement(name, namespace: namespace)
        element.append(text: text)
        return element
    }
}
