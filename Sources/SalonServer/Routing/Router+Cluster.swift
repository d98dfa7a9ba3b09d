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

    /// A message another node routed for one of this node's sessions (to the account's bare JID,
    /// for which that session was among the chosen resources, or a carbon): that node archived it
    /// and made the carbons. Gone meanwhile: a message is kept offline, as for an account with no
    /// resource; a carbon is dropped.
    func deliverToSession(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        guard let session = sessions.session(to) else {
            guard !MessageCarbons.isCarbon(stanza.element, for: to.bare) else { return nil }
            return offlineOrder.enqueue(for: to.bare) { [self] in await storeOffline(stanza, owner: to.bare) }
        }
        session.deliver(stanza.element)
        return nil
    }
}
