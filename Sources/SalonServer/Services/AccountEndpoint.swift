import SalonAdmin
import XMPPCore

/// iq addressed to an account's bare JID (or sent by a client with no `to`): the server answers
/// on the account's behalf (RFC 6120 §10.5.3.3).
final class AccountEndpoint: Sendable {
    let rosters: RosterService
    let blocking: BlockingService
    let vCards: VCardService
    let sessions: SessionRegistry
    /// The account's PEP service (XEP-0163) and private XML storage (XEP-0049).
    let pep: PEPService
    let privateStorage: PrivateStorageService
    /// The account's message archive (XEP-0313) and its preferences.
    let archive: PersonalArchiveService
    /// Push registrations (XEP-0357).
    let push: PushService
    unowned let router: Router

    init(rosters: RosterService, blocking: BlockingService, vCards: VCardService, sessions: SessionRegistry, pep: PEPService,
         privateStorage: PrivateStorageService, archive: PersonalArchiveService, push: PushService, router: Router) {
        self.rosters = rosters
        self.blocking = blocking
        self.vCards = vCards
        self.sessions = sessions
        self.pep = pep
        self.privateStorage = privateStorage
        self.archive = archive
        self.push = push
        self.router = router
    }

    /// `session` is set when one of the account's own resources asks.
    func handle(_ iq: Stanza, to: JID, from: JID, session: ClientSession? = nil) -> RoutingFollowup? {
        guard iq.type == "get" || iq.type == "set" else { return nil }
        guard let payload = iq.element.elements.first else {
            router.bounce(iq, StanzaError(.badRequest), target: to)
            return nil
        }
        switch (payload.namespace, payload.name) {
        case (NS.roster, "query"):
            guard let session = ownSession(iq, to: to, from: from, session: session, refusal: .forbidden) else { return nil }
            return rosters.handle(iq, query: payload, session: session)
        case (MessageCarbons.ns, _):
            guard let session = ownSession(iq, to: to, from: from, session: session, refusal: .notAllowed) else { return nil }
            session.deliver(MessageCarbons.handle(iq, payload: payload, session: session, sessions: sessions))
            router.cluster?.announce(session)
        case (Blocklist.ns, _):
            guard let session = ownSession(iq, to: to, from: from, session: session, refusal: .forbidden) else { return nil }
            return blocking.handle(iq, payload: payload, session: session)
        case (PushService.ns, _):
            guard let session = ownSession(iq, to: to, from: from, session: session, refusal: .forbidden) else { return nil }
            return push.handle(iq, payload: payload, session: session)
        case (VCardService.ns, _):
            return vCards.handle(iq, payload: payload, owner: to, from: from, reply: router.replying(as: to))
        case (PersonalStorage.privateXML, "query"):
            guard from.bare == to else {
                router.bounce(iq, StanzaError(.forbidden, text: "Private storage is the account's own."), target: to)
                return nil
            }
            return privateStorage.handle(iq, query: payload, owner: to, reply: router.replying(as: to))
        case (MAM.ns, _):
            return archive.handle(iq, payload: payload, owner: to, from: from)
        case (PubSub.ns, "pubsub"), (PubSub.owner, "pubsub"):
            return pep.handle(iq, payload: payload, owner: to, requester: from)
        case (NS.ping, "ping") where iq.type == "get":
            router.send(iq.resultReply(nil), as: to)
        case (NS.discoInfo, "query") where iq.type == "get":
            if let node = payload[attribute: "node"] { return pep.discoInfo(iq, node: node, owner: to, requester: from) }
            var query = XMLElement("query", namespace: NS.discoInfo)
            query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "account", "type": "registered"]))
            query.append(PEPService.accountIdentity)
            for feature in [NS.discoInfo, NS.discoItems, VCardService.ns, AvatarImage.conversionFeature, PushService.ns]
                + PEPService.accountFeatures + PersonalArchiveService.features {
                query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": feature]))
            }
            router.send(iq.resultReply(query), as: to)
        case (NS.discoItems, "query") where iq.type == "get" && payload[attribute: "node"] == nil:
            return pep.discoItems(iq, owner: to, requester: from)
        default:
            router.bounce(iq, StanzaError(.serviceUnavailable), target: to)
        }
        return nil
    }

    /// The asking resource's session, when the account asks about itself; otherwise the iq is
    /// refused with `refusal` and nil returned.
    private func ownSession(_ iq: Stanza, to: JID, from: JID, session: ClientSession?,
                            refusal: StanzaErrorCondition) -> ClientSession? {
        guard from.bare == to, let session = session ?? sessions.session(from) else {
            router.bounce(iq, StanzaError(refusal), target: to)
            return nil
        }
        return session
    }
}
