import XMPPCore

/// Where a room's stanzas go. What the room sends to a session it knows is routed by the JIDs
/// it already holds (nothing formatted is parsed back); broadcasts of posts go through the
/// fan-out; errors and iq results through the router, which addresses them.
struct RoomOutput: Sendable {
    unowned let router: Router
    let fanout: Fanout

    init(router: Router, sessions: SessionRegistry, sent: StanzaCounters? = nil) {
        self.router = router
        self.fanout = Fanout(sessions: sessions, router: router, sent: sent)
    }

    /// The cluster node `session` is on: `local` when it is bound here, nil when no node knows it.
    func node(of session: JID, local: String) -> String? {
        fanout.sessions.session(session) != nil ? local : router.cluster?.node(of: session)
    }

    /// Sends `element`, which carries `to` and `from` for the wire, routed by those same
    /// addresses as JIDs.
    func send(_ element: XMLElement, to recipient: JID, from sender: JID) {
        assert(element[attribute: "to"] == recipient.description && element[attribute: "from"] == sender.description,
               "the element is addressed otherwise than it is routed")
        guard let stanza = Stanza(element) else { return }
        _ = router.route(stanza, to: recipient, from: sender)
    }

    /// Sends an element whose sender exists only as text (a message replayed from the archive,
    /// an occupant's answer relayed): the router reads its addresses.
    func send(_ element: XMLElement) {
        _ = router.route(element)
    }

    func bounce(_ stanza: Stanza, _ error: StanzaError) {
        router.bounce(stanza, error)
    }

    /// Sends an iq result from wherever the request was addressed.
    func answer(_ iq: Stanza, _ payload: XMLElement?) {
        _ = router.route(iq.resultReply(payload))
    }
}
