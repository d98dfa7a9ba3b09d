import SalonSecurity
import XMPPCore

/// The server domain's own iq services: XEP-0030 discovery, XEP-0199 ping, XEP-0092 version,
/// XEP-0050/XEP-0133 administration commands.
final class ServerEndpoint: LocalEndpoint {
    static let softwareName = "Salon"
    static let softwareVersion = "0.1.0"

    let domain: String
    let components: ComponentRegistry
    let adHoc: AdHocCommands
    unowned let router: Router
    /// Listed as a disco item of the server.
    let muc: MUCService

    init(domain: String, components: ComponentRegistry, router: Router, muc: MUCService, adHoc: AdHocCommands) {
        self.domain = domain
        self.components = components
        self.router = router
        self.muc = muc
        self.adHoc = adHoc
    }

    /// Every account's PEP service is advertised here too, where older clients look for it.
    static let features = [NS.discoInfo, NS.discoItems, NS.ping, NS.version, NS.roster, "urn:xmpp:features:rosterver", AdHocCommands.ns,
                           MessageCarbons.ns, MessageCarbons.rules, Blocklist.ns, VCardService.ns, PersonalStorage.privateXML] + PubSub.features

    /// The server's disco#info answer: what its entity capabilities (XEP-0115) hash.
    static let discoInfo: XMLElement = {
        var query = XMLElement("query", namespace: NS.discoInfo)
        query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "server", "type": "im", "name": softwareName]))
        query.append(PEPService.accountIdentity)
        for feature in features {
            query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": feature]))
        }
        return query
    }()

    static let capsNode = "urn:salon:server"
    static let capsVer = CapsCache.verificationHash(discoInfo, .sha1)
    /// XEP-0115 §6.3: the server's capabilities in its stream features, so a client learns what it
    /// supports without asking at every connection.
    static let capsFeature = XMLElement("c", namespace: Caps.ns, attributes: ["hash": "sha-1", "node": capsNode, "ver": capsVer])

    func handleServerIQ(_ element: XMLElement, from: JID) -> RoutingFollowup? {
        guard let iq = Stanza(element), let payload = element.elements.first else {
            if let iq = Stanza(element) { router.bounce(iq, StanzaError(.badRequest)) }
            return nil
        }
        switch (iq.type, payload.namespace, payload.name) {
        case ("get", NS.discoInfo, "query") where payload[attribute: "node"] == nil:
            _ = router.route(iq.resultReply(Self.discoInfo))
        case ("get", NS.discoInfo, "query") where payload[attribute: "node"] == "\(Self.capsNode)#\(Self.capsVer)":
            var query = Self.discoInfo
            query[attribute: "node"] = payload[attribute: "node"]
            _ = router.route(iq.resultReply(query))
        case ("get", NS.discoItems, "query") where payload[attribute: "node"] == nil:
            var query = XMLElement("query", namespace: NS.discoItems)
            query.append(XMLElement("item", namespace: NS.discoItems, attributes: ["jid": muc.domain, "name": "Persistent chat"]))
            for component in components.secrets.keys.sorted() {
                query.append(XMLElement("item", namespace: NS.discoItems, attributes: ["jid": component]))
            }
            _ = router.route(iq.resultReply(query))
        case ("get", NS.discoItems, "query") where payload[attribute: "node"] == AdHocCommands.ns:
            _ = router.route(iq.resultReply(adHoc.items(for: from.bare.description)))
        case ("get", NS.discoInfo, "query") where payload[attribute: "node"].flatMap { adHoc.info(node: $0, for: from.bare.description) } != nil:
            _ = router.route(iq.resultReply(adHoc.info(node: payload[attribute: "node"]!, for: from.bare.description)))
        case ("set", AdHocCommands.ns, "command"):
            let (adHoc, router) = (adHoc, router)
            Task {
                switch await adHoc.handle(payload, user: from.bare.description) {
                case .success(let answer): _ = router.route(iq.resultReply(answer))
                case .failure(let error): router.bounce(iq, error)
                }
            }
        case ("get", NS.ping, "ping"):
            _ = router.route(iq.resultReply(nil))
        case ("get", NS.version, "query"):
            var query = XMLElement("query", namespace: NS.version)
            for (name, value) in [("name", Self.softwareName), ("version", Self.softwareVersion)] {
                var child = XMLElement(name, namespace: NS.version)
                child.append(text: value)
                query.append(child)
            }
            _ = router.route(iq.resultReply(query))
        case ("get", NS.discoInfo, _), ("get", NS.discoItems, _):
            router.bounce(iq, StanzaError(.itemNotFound))
        default:
            router.bounce(iq, StanzaError(.serviceUnavailable))
        }
        return nil
    }
}
