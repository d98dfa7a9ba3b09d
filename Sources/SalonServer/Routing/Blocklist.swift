import XMPPCore

/// XEP-0191 blocklist matching and its error, shared by routing, presence and the blocking service.
enum Blocklist {
    static let ns = "urn:xmpp:blocking"
    static let errorsNS = "urn:xmpp:blocking:errors"

    /// The list items that cover `jid`, in XEP-0191 §7 order (XEP-0016's): the full JID, the
    /// bare JID, domain/resource, the domain.
    static func items(covering jid: JID) -> [String] {
        var items = [jid.description]
        if jid.resourcepart != nil, jid.localpart != nil { items.append(jid.bare.description) }
        if let resource = jid.resourcepart, jid.localpart != nil,
           let domainResource = try? JID(localpart: nil, domainpart: jid.domainpart, resourcepart: resource) {
            items.append(domainResource.description)
        }
        if jid.localpart != nil || jid.resourcepart != nil { items.append(jid.domainpart) }
        return items
    }

    static func covers(_ list: Set<String>, _ jid: JID) -> Bool {
        !list.isEmpty && items(covering: jid).contains(where: list.contains)
    }

    /// What a user gets for a stanza they address to someone they block (§3.3).
    static var blockedError: StanzaError {
        var error = StanzaError(.notAcceptable, text: "You have blocked this address; unblock it to write to it.")
        error.applicationCondition = XMLElement("blocked", namespace: errorsNS)
        return error
    }
}
