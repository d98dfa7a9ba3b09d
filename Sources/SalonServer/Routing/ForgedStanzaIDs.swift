import XMPPCore

/// XEP-0359 §3.1: a stanza-id is trusted only when the entity named in `by` added it, so an
/// entity that adds its own must first remove any that claim to be by it — a client could
/// otherwise plant ids that collide with, or impersonate, the receiver's archive.
extension XMLElement {
    /// Removes every `<stanza-id xmlns='urn:xmpp:sid:0'/>` whose `by` names `entity` (bare JIDs compared).
    mutating func removeStanzaIDs(claimingToBeBy entity: JID) {
        // Most stanzas have none: leave them untouched (and uncopied).
        guard children.contains(where: { Self.isStanzaID($0) }) else { return }
        let claimed = entity.bare
        children.removeAll { node in
            guard Self.isStanzaID(node), case .element(let element) = node else { return false }
            guard let by = element[attribute: "by"] else { return false }
            return (try? JID(by))?.bare == claimed
        }
    }

    private static func isStanzaID(_ node: XMLNode) -> Bool {
        if case .element(let element) = node { return element.name == "stanza-id" && element.namespace == MUC.stanzaID }
        return false
    }
}
