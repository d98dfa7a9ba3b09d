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
        if let link = components.link(for: to.domainpart) {
            link.deliver(stanza.element)
            return nil
        }
        bounce(stanza, StanzaError(.serviceUnavailable, text: "Nothing on this cluster node serves \(to.domainpart)."))
        return nil
    }

    /// The other node a component serving `domain` is connected to, when none is connected here.
    func componentElsewhere(serving domain: String) -> String? {
        guard let cluster, let owner = components.componentDomain(serving: domain),
              components.link(for: domain) == nil else { return nil }
        return cluster.componentNode(owner)
    }

    /// A stanza another node routed for one of this node's sessions and did all the routing of:
    /// a message to the account's bare JID (that session among the chosen resources) it archived
    /// and made the carbons of, a carbon, a roster push, a subscription request. Gone meanwhile:
    /// a message or a subscription request is kept offline, as for an account with no resource;
    /// the rest is dropped. With `interest` (a PEP notification), the session gets it only if
    /// its capabilities show that feature, and one gone meanwhile never.
    func deliverToSession(_ stanza: Stanza, to: JID, from: JID, interest: String? = nil) -> RoutingFollowup? {
        let session = sessions.session(to)
        if let interest {
            if let session { presenceService.pep.notifier.deliver(stanza.element, to: session, ifInterestedIn: interest) }
            return nil
        }
        guard let session else {
            let keep = stanza.kind == .message ? !MessageCarbons.isCarbon(stanza.element, for: to.bare)
                : stanza.kind == .presence && stanza.type == "subscribe"
            guard keep else { return nil }
            return offlineOrder.enqueue(for: to.bare) { [self] in await storeOffline(stanza, owner: to.bare) }
        }
        // A roster push: this node's cache of the account's roster is refreshed from the database first.
        if stanza.kind == .iq, let jid = stanza.element.child("query", namespace: NS.roster)?.child("item", namespace: NS.roster)?[attribute: "jid"] {
            return { [self] in
                let item = try? await database.rosters.item(owner: to.bare.description, jid: jid)
                sessions.updateRoster(of: to.bare, item: item ?? nil, jid: jid)
                session.deliver(stanza.element)
            }
        }
        session.deliver(stanza.element)
        return nil
    }
}
