import XMPPCore

extension Router {
    /// A stanza another node of the cluster routed here: for an account's session on this node,
    /// or for a room this node serves. Nothing is sent on to a third node.
    func arrived(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        if to.domainpart == domain, to.localpart != nil {
            return toLocalAccount(stanza, to: to, from: from)
        }
        if to.domainpart == muc.domain {
            return muc.handle(stanza, to: to, from: from)
        }
        bounce(stanza, StanzaError(.serviceUnavailable, text: "Nothing on this cluster node serves \(to.domainpart)."))
        return nil
    }

    /// A message another node routed and archived for one of this node's sessions (a message to
    /// the account's bare JID, for which that session was among the chosen resources). Gone
    /// meanwhile: kept offline, as a message to an account with no resource.
    func deliverToSession(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        guard let session = sessions.session(to) else {
            return offlineOrder.enqueue(for: to.bare) { [self] in await storeOffline(stanza, owner: to.bare) }
        }
        session.deliver(stanza.element)
        if stanza.kind == .message {
            carbons.received(stanza.element, owner: to.bare, from: from, deliveredTo: [session], toBoundResource: false)
        }
        return nil
    }
}
