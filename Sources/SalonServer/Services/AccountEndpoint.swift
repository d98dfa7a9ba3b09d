import XMPPCore

/// iq addressed to an account's bare JID (or sent by a client with no `to`): the server answers
/// on the account's behalf (RFC 6120 §10.5.3.3).
final class AccountEndpoint: Sendable {
    let rosters: RosterService
    let sessions: SessionRegistry
    /// The account's private XML storage (XEP-0049).
    let privateStorage: PrivateStorageService
    unowned let router: Router

    init(rosters: RosterService, sessions: SessionRegistry, privateStorage: PrivateStorageService, router: Router) {
        self.rosters = rosters
        self.sessions = sessions
        self.privateStorage = privateStorage
        self.router = router
    }

    /// `session` is set when one of the account's own resources asks.
    func handle(_ iq: Stanza, to: JID, from: JID, session: ClientSession? = nil) -> RoutingFollowup? {
        guard iq.type == "get" || iq.type == "set" else { return nil }
        guard let payload = iq.element.elements.first else {
            router.bounce(iq, StanzaError(.badRequest), target: to)
            return nil
        }
        let fromSelf = from.bare == to
        switch (payload.namespace, payload.name) {
        case (NS.roster, "query"):
            guard fromSelf, let session = session ?? sessions.session(from) else {
                router.bounce(iq, StanzaError(.forbidden), target: to)
                return nil
            }
            return rosters.handle(iq, query: payload, session: session)
        case (PersonalStorage.privateXML, "query"):
            guard fromSelf else {
                router.bounce(iq, StanzaError(.forbidden, text: "Private storage is the account's own."), target: to)
                return nil
            }
            let router = router
            return privateStorage.handle(iq, query: payload, owner: to) { reply in
                var reply = reply
                if reply[attribute: "from"] == nil { reply[attribute: "from"] = to.description }
                _ = router.route(reply)
            }
        case (NS.ping, "ping") where iq.type == "get":
            _ = router.route(accountReply(iq, to: to, payload: nil))
        case (NS.discoInfo, "query") where iq.type == "get":
            var query = XMLElement("query", namespace: NS.discoInfo)
            query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "account", "type": "registered"]))
            query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": NS.discoInfo]))
            _ = router.route(accountReply(iq, to: to, payload: query))
        default:
            router.bounce(iq, StanzaError(.serviceUnavailable), target: to)
        }
        return nil
    }

    private func accountReply(_ iq: Stanza, to: JID, payload: XMLElement?) -> XMLElement {
        var result = iq.resultReply(payload)
        result[attribute: "from"] = to.description
        return result
    }
}
