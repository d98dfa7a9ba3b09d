import Foundation
import SalonStore
import XMPPCore

/// Which 1:1 messages go into accounts' archives (XEP-0313 §6.1.1, "User Archives"), and the
/// copies one message makes: the sender's (outgoing, when a local account's client sent it)
/// and the recipient's (incoming, when it is for a local account). Each copy has its own
/// stanza-id; the router archives them together before delivering (`Router+PersonalArchive`).
///
/// Archived: type `chat` or `normal` with a `<body/>`, or any but `groupchat`, `headline` and
/// `error` carrying the XEP-0334 `<store/>` hint; never one with `<no-store/>` or
/// `<no-permanent-store/>`, a carbon, or what the server sends from an account's bare JID
/// (archive results, PEP events). Private messages through a room (to or from an occupant JID)
/// are 1:1 messages and archived like any other: the room's archive never holds them
/// (XEP-0313 §6.1.2), so the user's is where they are kept, with the occupant JID as `with`.
/// The owner's preferences (XEP-0441) decide last, when the copies are written.
struct PersonalArchiving: Sendable {
    static let hints = "urn:xmpp:hints"

    /// This server's domain: whose accounts have archives.
    let domain: String

    /// Whether `message` is one a user archive keeps (before preferences).
    static func isArchivable(_ message: XMLElement) -> Bool {
        let type = message[attribute: "type"] ?? "normal"
        guard type != "groupchat", type != "headline", type != "error" else { return false }
        if message.child("no-store", namespace: hints) != nil || message.child("no-permanent-store", namespace: hints) != nil {
            return false
        }
        if message.child("received", namespace: MessageCarbons.ns) != nil || message.child("sent", namespace: MessageCarbons.ns) != nil {
            return false
        }
        if message.child("store", namespace: hints) != nil { return true }
        return message.child("body", namespace: NS.client) != nil
    }

    /// Whether `jid` is one of this server's accounts (or a resource of one).
    func isLocalAccount(_ jid: JID) -> Bool {
        jid.domainpart == domain && jid.localpart != nil
    }

    /// The copies of a message from `from` to a local account `to`: the recipient's, and the
    /// sender's when a client of a local account sent it; one copy when an account writes to
    /// itself. Empty when nothing is archived.
    func copies(of message: XMLElement, to: JID, from: JID, at date: Date = Date()) -> [PersonalMessage] {
        guard isLocalAccount(to), Self.isArchivable(message) else { return [] }
        // What the server sends as the account itself (bare JID) is not the user's conversation.
        guard from != to.bare else { return [] }
        let stanza = message.serialized(parentNamespace: NS.client)
        let body = message.child("body", namespace: NS.client)?.text ?? ""
        if from.bare == to.bare {
            return [copy(owner: to.bare, with: to, outgoing: true, stanza: stanza, body: body, date: date)]
        }
        var copies = [copy(owner: to.bare, with: from, outgoing: false, stanza: stanza, body: body, date: date)]
        if sentByClient(from) {
            copies.append(copy(owner: from.bare, with: to, outgoing: true, stanza: stanza, body: body, date: date))
        }
        return copies
    }

    /// The sender's copy of a message a local account's client sends away from this server's
    /// accounts (to a room occupant, a component); nil when nothing is archived.
    func outgoingCopy(of message: XMLElement, to: JID, from: JID, at date: Date = Date()) -> PersonalMessage? {
        guard sentByClient(from), !isLocalAccount(to), Self.isArchivable(message) else { return nil }
        let body = message.child("body", namespace: NS.client)?.text ?? ""
        return copy(owner: from.bare, with: to, outgoing: true, stanza: message.serialized(parentNamespace: NS.client),
                    body: body, date: date)
    }

    /// Whether a resource of a local account sent it (the server speaks from bare JIDs).
    private func sentByClient(_ from: JID) -> Bool {
        isLocalAccount(from) && from.resourcepart != nil
    }

    private func copy(owner: JID, with: JID, outgoing: Bool, stanza: String, body: String, date: Date) -> PersonalMessage {
        PersonalMessage(owner: owner.description, stanzaID: StoredMessage.newStanzaID(at: date), with: with.description,
                        outgoing: outgoing, timestamp: date, body: body, stanza: stanza)
    }
}
