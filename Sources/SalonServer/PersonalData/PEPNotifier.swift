import SalonStore
import XMPPCore

/// Who is told of a change to a PEP node, and the notification itself (XEP-0163 §4): the
/// owner's resources and, unless the node is whitelist-only, the resources of contacts
/// subscribed to the owner's presence; the node's members on a whitelist node; never its
/// outcasts (XEP-0060 §4.1) — each resource that shows `+notify` interest in its
/// entity capabilities, or that subscribed explicitly (its full or bare JID).
struct PEPNotifier: Sendable {
    let sessions: SessionRegistry
    let caps: CapsCache
    let database: any StoreBackend
    /// On a clustered node: the cluster's router, for contacts' resources on other nodes.
    let cluster: @Sendable () -> ClusterRouter?

    /// Sends `event` to everyone interested in `node`. A resource whose capabilities are still
    /// being asked for gets it once they are known, if they show interest.
    func notify(owner: JID, node: PEPNode, subscribers: [String], event: XMLElement) async {
        let explicit = Set(subscribers)
        let notification = "\(node.name)+notify"
        let (resources, accounts) = await candidates(owner: owner, node: node, explicit: explicit)
        // An explicit subscription (full or bare JID) needs no interest in the capabilities.
        func subscribed(_ jid: JID) -> Bool { explicit.contains(jid.description) || explicit.contains(jid.bare.description) }
        if let cluster = cluster() {
            // Resources on other nodes: their node knows their capabilities, and decides.
            for resource in accounts.flatMap(cluster.remote.available(of:)) {
                cluster.forward(Self.message(event, from: owner, to: resource.jid), to: resource, from: owner, deliverOnly: true,
                                interest: subscribed(resource.jid) ? nil : notification)
            }
        }
        for resource in resources {
            let session = resource.session
            let message = Self.message(event, from: owner, to: session.jid)
            if subscribed(session.jid) {
                session.deliver(message)
            } else {
                deliver(message, to: session, showing: resource.lastPresence, ifInterestedIn: notification)
            }
        }
    }

    /// The available resources here of the owner and of whoever may read the node, and those accounts.
    private func candidates(owner: JID, node: PEPNode, explicit: Set<String>) async -> ([ResourcePresence], [JID]) {
        var accounts = [owner]
        let affiliations = (try? await database.pep.affiliations(owner: owner.description, node: node.name)) ?? []
        let outcasts = Set(affiliations.filter { $0.affiliation == "outcast" }.map(\.jid))
        if node.config.accessModel == "whitelist" {
            accounts += affiliations.filter { $0.affiliation == "member" }.compactMap { try? JID($0.jid) }
        } else {
            let roster: [RosterItem]
            if let cached = sessions.roster(of: owner) {
                roster = Array(cached.values)
            } else {
                roster = (try? await database.rosters.items(owner: owner.description)) ?? []
            }
            let contacts = roster.filter { $0.subscription == "from" || $0.subscription == "both" }.map(\.jid)
            accounts += contacts.compactMap { try? JID($0) }
            if node.config.accessModel == "open" {
                accounts += explicit.compactMap { try? JID($0).bare }.filter { !accounts.contains($0) }
            }
        }
        let readers = accounts.filter { $0.localpart != nil && !outcasts.contains($0.description) }
        return (readers.flatMap { sessions.resources(of: $0).filter(\.available) }, readers)
    }

    /// Hands a notification another node sent for `session` to it if its capabilities show
    /// `notification` (asking the client first when they are not known yet).
    func deliver(_ message: XMLElement, to session: ClientSession, ifInterestedIn notification: String) {
        deliver(message, to: session, showing: sessions.presence(of: session)?.lastPresence, ifInterestedIn: notification)
    }

    /// Hands `message` to `session` if the capabilities its `presence` carries show `notification`.
    private func deliver(_ message: XMLElement, to session: ClientSession, showing presence: XMLElement?, ifInterestedIn notification: String) {
        guard let capabilities = CapsCache.capabilities(in: presence) else { return }
        if let features = caps.features(capabilities) {
            if features.contains(notification) { session.deliver(message) }
            return
        }
        caps.resolve(capabilities, of: session.jid) { features in
            if features?.contains(notification) == true, session.isBound { session.deliver(message) }
        }
    }

    /// Whether a resource's capabilities, as known now, include `node+notify`.
    func interested(_ resource: ResourcePresence, in node: String) -> Bool {
        guard let capabilities = CapsCache.capabilities(in: resource.lastPresence),
              let features = caps.features(capabilities) else { return false }
        return features.contains(node + "+notify")
    }

    /// Sends `event` (a pubsub#event child) from the owner to each session as a headline.
    func deliver(_ event: XMLElement, from owner: JID, to recipients: [ClientSession], delay: String? = nil) {
        for session in recipients { session.deliver(Self.message(event, from: owner, to: session.jid, delay: delay)) }
    }

    /// The headline carrying `event` from the owner to `recipient`.
    static func message(_ event: XMLElement, from owner: JID, to recipient: JID, delay: String? = nil) -> XMLElement {
        var message = XMLElement("message", namespace: NS.client, attributes: [
            "type": "headline", "from": owner.description, "to": recipient.description,
            "id": "pep-\(UInt64.random(in: 0 ... .max))",
        ], children: [.element(XMLElement("event", namespace: PubSub.event, children: [.element(event)]))])
        if let delay {
            message.append(XMLElement("delay", namespace: NS.delay, attributes: ["from": owner.description, "stamp": delay]))
        }
        return message
    }

    /// `<items node=…><item id=…>payload</item></items>`.
    static func items(_ node: String, _ items: [(id: String, payload: XMLElement?)], namespace: String = PubSub.event) -> XMLElement {
        XMLElement("items", namespace: namespace, attributes: ["node": node], children: items.map { item in
            .element(XMLElement("item", namespace: namespace, attributes: ["id": item.id],
                                children: item.payload.map { [.element($0)] } ?? []))
        })
    }
}
