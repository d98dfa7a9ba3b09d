import Logging
import SalonStore
import XMPPCore

/// RFC 6121 §3–4: presence broadcast, probes, directed presence and the subscription handshake
/// between accounts of this server (and components, which get the stanzas as they are).
final class PresenceService: Sendable {
    let domain: String
    let sessions: SessionRegistry
    let rosters: RosterService
    let database: any StoreBackend
    unowned let router: Router
    /// Sends a user's pending room invitations when they come online.
    let muc: MUCService
    /// Sends last published PEP items to a resource that comes online with `+notify` interest.
    let pep: PEPService
    /// Removes bookmarks of rooms lost while the server did not see it, at login.
    let followedRooms: FollowedRooms
    /// Addresses one resource may send directed presence to (room joins among them): each is
    /// remembered and sent its unavailable presence at the end, so the set is bounded.
    let maxDirectedPresences: Int

    init(domain: String, sessions: SessionRegistry, rosters: RosterService, database: any StoreBackend, router: Router,
         muc: MUCService, pep: PEPService, followedRooms: FollowedRooms, maxDirectedPresences: Int) {
        self.maxDirectedPresences = maxDirectedPresences
        self.domain = domain
        self.sessions = sessions
        self.rosters = rosters
        self.database = database
        self.router = router
        self.muc = muc
        self.pep = pep
        self.followedRooms = followedRooms
    }

    // MARK: From a client

    /// Presence a client sent: broadcast (no `to`), directed, or a subscription request/answer.
    func outbound(_ stanza: Stanza, from session: ClientSession) -> RoutingFollowup? {
        let to = try? stanza.to
        let type = stanza.type
        if to == nil {
            switch type {
            case nil: return broadcastAvailable(stanza, from: session)
            case "unavailable": broadcastUnavailable(stanza.element, from: session); return nil
            default: return nil   // probes and subscriptions need a target
            }
        }
        guard let to else { return nil }
        switch type {
        case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
            return subscriptionFromUser(stanza, type: type!, user: session.jid.bare, contact: to.bare)
        case nil, "unavailable":
            var full = false
            sessions.updatePresence(of: session) { state in
                if type == nil {
                    full = state.directedTo.count >= maxDirectedPresences && !state.directedTo.contains(to)
                    if !full { state.directedTo.insert(to) }
                } else {
                    state.directedTo.remove(to)
                }
            }
            if full {
                return router.route(stanza.errorReply(StanzaError(.resourceConstraint, text:
                    "Directed presence already goes to \(maxDirectedPresences) addresses from this resource.")))
            }
            var presence = stanza.element
            if type == nil { VCardService.stampPhotoUnlessGiven(&presence, hash: sessions.photoHash(of: session.jid.bare)) }
            return router.route(presence)
        default:
            return router.route(stanza.element)
        }
    }

    private func broadcastAvailable(_ stanza: Stanza, from session: ClientSession) -> RoutingFollowup? {
        let priority = Int(stanza.element.child("priority", namespace: NS.client)?.text ?? "0") ?? 0
        var presence = stanza.element
        presence[attribute: "to"] = nil
        VCardService.stampPhotoUnlessGiven(&presence, hash: sessions.photoHash(of: session.jid.bare))
        let previous = sessions.presence(of: session)
        let finalPresence = presence
        sessions.updatePresence(of: session) { state in
            state.available = true
            state.priority = max(-128, min(127, priority))
            state.lastPresence = finalPresence
        }
        let initial = previous?.available != true
        router.cluster?.announce(session)
        for target in broadcastTargets(of: session.jid.bare) {
            deliver(presence, from: session.jid, to: target)
        }
        pep.available(session, presence: presence, previous: initial ? nil : previous?.lastPresence)
        guard initial else { return nil }
        probeContacts(for: session)
        let (muc, jid) = (muc, session.jid)
        Task { await muc.invitations.sendPending(to: jid) }
        followedRooms.loggedIn(jid)
        guard priority >= 0 else { return nil }
        return { [self] in await deliverOffline(to: session) }
    }

    /// Sends each available resource's presence again, changed by `change` (a new vCard photo).
    func rebroadcast(of owner: JID, _ change: (inout XMLElement) -> Void) {
        for resource in sessions.resources(of: owner) where resource.available {
            guard var presence = resource.lastPresence else { continue }
            change(&presence)
            let updated = presence
            sessions.updatePresence(of: resource.session) { $0.lastPresence = updated }
            router.cluster?.announce(resource.session)
            for target in broadcastTargets(of: owner) { deliver(updated, from: resource.session.jid, to: target) }
        }
    }

    /// An unavailable broadcast, or the end of a session that never said goodbye.
    func broadcastUnavailable(_ element: XMLElement?, from session: ClientSession) {
        var presence = element ?? XMLElement("presence", namespace: NS.client, attributes: ["type": "unavailable"])
        presence[attribute: "to"] = nil
        presence[attribute: "type"] = "unavailable"
        let previous = sessions.presence(of: session)
        sessions.updatePresence(of: session) { state in
            state.available = false
            state.lastPresence = nil
            state.directedTo = []
        }
        guard let previous else { return }
        if previous.available { router.cluster?.announce(session) }
        var targets = previous.available ? broadcastTargets(of: session.jid.bare) : []
        targets.append(contentsOf: previous.directedTo.filter { !router.blocksPresence(between: session.jid, and: $0) })
        for target in targets { deliver(presence, from: session.jid, to: target) }
    }

    /// Resources of another cluster node that died without a word: each of this node's sessions
    /// that saw one available (its contact, or its own account's) sees it go unavailable, as if
    /// it had logged off.
    func remoteResourcesLost(_ lost: [RemoteResource]) {
        let gone = Dictionary(grouping: lost.filter { $0.presence != nil }, by: { $0.jid.bare.description })
        guard !gone.isEmpty else { return }
        for account in sessions.onlineAccounts {
            var sources = gone[account.description] ?? []
            for item in (sessions.roster(of: account) ?? [:]).values where item.subscription == "to" || item.subscription == "both" {
                sources += gone[item.jid] ?? []
            }
            for source in sources {
                for resource in sessions.resources(of: account) where resource.available {
                    resource.session.deliver(XMLElement("presence", namespace: NS.client, attributes: [
                        "type": "unavailable", "from": source.jid.description, "to": resource.session.jid.description,
                    ]))
                }
            }
        }
    }

    /// Contacts subscribed to the account's presence, and the account's own other resources.
    /// A contact either side blocks (XEP-0191) is left out.
    func broadcastTargets(of owner: JID) -> [JID] {
        var targets: [JID] = []
        for item in (sessions.roster(of: owner) ?? [:]).values where item.subscription == "from" || item.subscription == "both" {
            if let jid = try? JID(item.jid), !router.blocksPresence(between: owner, and: jid) { targets.append(jid) }
        }
        targets.append(owner)
        return targets
    }

    /// Sends presence to a bare JID: each available local resource, or the component as is.
    private func deliver(_ presence: XMLElement, from: JID, to target: JID) {
        var stanza = presence
        stanza[attribute: "from"] = from.description
        if target.domainpart == domain, target.localpart != nil, target.resourcepart == nil {
            for resource in sessions.resources(of: target) where resource.available && resource.session.jid != from {
                stanza[attribute: "to"] = resource.session.jid.description
                resource.session.deliver(stanza)
            }
            // The account's available resources on other nodes of a cluster.
            for resource in router.cluster?.remote.available(of: target) ?? [] where resource.jid != from {
                stanza[attribute: "to"] = resource.jid.description
                router.cluster?.forward(stanza, to: resource, from: from)
            }
        } else {
            stanza[attribute: "to"] = target.description
            _ = router.route(stanza)
        }
    }

    /// The presence of everyone the new session is subscribed to (and its own other resources).
    private func probeContacts(for session: ClientSession) {
        let owner = session.jid.bare
        var contacts: [JID] = [owner]
        for item in (sessions.roster(of: owner) ?? [:]).values where item.subscription == "to" || item.subscription == "both" {
            if let jid = try? JID(item.jid), !router.blocksPresence(between: owner, and: jid) { contacts.append(jid) }
        }
        for contact in contacts {
            if contact.domainpart == domain {
                for resource in sessions.resources(of: contact) where resource.available && resource.session !== session {
                    guard var presence = resource.lastPresence else { continue }
                    presence[attribute: "from"] = resource.session.jid.description
                    presence[attribute: "to"] = session.jid.description
                    session.deliver(presence)
                }
                // Resources on other nodes of a cluster, as their nodes last announced them.
                for resource in router.cluster?.remote.available(of: contact) ?? [] {
                    guard var presence = resource.presence else { continue }
                    presence[attribute: "from"] = resource.jid.description
                    presence[attribute: "to"] = session.jid.description
                    session.deliver(presence)
                }
            } else {
                _ = router.route(XMLElement("presence", namespace: NS.client, attributes: [
                    "type": "probe", "from": owner.description, "to": contact.description,
                ]))
            }
        }
    }

    private func deliverOffline(to session: ClientSession) async {
        do {
            await router.offlineOrder.queuedWrites(of: session.jid.bare)
            let stored = try await database.offline.drain(owner: session.jid.bare.description)
            // Delivered like any routed stanza: a stream that closes meanwhile hands them back.
            for stanza in stored {
                guard let element = try? XMLStreamParser.parseStanza(stanza, namespace: NS.client) else { continue }
                session.deliver(element)
            }
        } catch {
            router.logger.storageFailure("offline delivery failed", error)
        }
    }

    // MARK: To an account

    /// Presence arriving for a bare JID of this server.
    func inbound(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        switch stanza.type {
        case nil, "unavailable":
            for resource in sessions.resources(of: to) where resource.available {
                var copy = stanza.element
                copy[attribute: "to"] = resource.session.jid.description
                resource.session.deliver(copy)
            }
            for resource in router.cluster?.remote.available(of: to) ?? [] {
                var copy = stanza.element
                copy[attribute: "to"] = resource.jid.description
                router.cluster?.forward(copy, to: resource, from: from)
            }
            return nil
        case "probe":
            return answerProbe(to: to, from: from)
        case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
            return subscriptionToContact(stanza, type: stanza.type!, contact: to, user: from.bare)
        default:
            return nil
        }
    }

    private func answerProbe(to: JID, from: JID) -> RoutingFollowup? {
        { [self] in
            let item = try? await database.rosters.item(owner: to.description, jid: from.bare.description)
            guard let item, item.subscription == "from" || item.subscription == "both" else { return }
            let available = sessions.resources(of: to).filter(\.available)
            let elsewhere = router.cluster?.remote.available(of: to) ?? []
            for resource in elsewhere {
                guard var presence = resource.presence else { continue }
                presence[attribute: "from"] = resource.jid.description
                presence[attribute: "to"] = from.description
                _ = router.route(presence)
            }
            if available.isEmpty && elsewhere.isEmpty {
                _ = router.route(XMLElement("presence", namespace: NS.client, attributes: [
                    "type": "unavailable", "from": to.description, "to": from.description,
                ]))
            }
            for resource in available {
                guard var presence = resource.lastPresence else { continue }
                presence[attribute: "from"] = resource.session.jid.description
                presence[attribute: "to"] = from.description
                _ = router.route(presence)
            }
        }
    }

    // MARK: Subscriptions (RFC 6121 §3)

    /// The user's side: update the user's roster, then send the stanza on (from the bare JID).
    private func subscriptionFromUser(_ stanza: Stanza, type: String, user: JID, contact: JID) -> RoutingFollowup? {
        var outgoing = stanza.element
        outgoing[attribute: "from"] = user.description
        outgoing[attribute: "to"] = contact.description
        let forward = outgoing
        return { [self] in
            do throws(RosterService.RosterFull) {
                try await rosters.update(owner: user, contact: contact) { item in
                    SubscriptionState.outbound(type, item: item, contact: contact.description)
                }
            } catch {
                // The contact would not fit on the user's roster: refuse rather than forward a
                // request whose outcome could not be recorded.
                _ = router.route(stanza.errorReply(error.stanzaError))
                return
            }
            if type == "subscribed" || type == "unsubscribed" {
                // The user's resources tell the contact their presence, or its end.
                for resource in sessions.resources(of: user) where resource.available {
                    var presence = type == "subscribed"
                        ? (resource.lastPresence ?? XMLElement("presence", namespace: NS.client))
                        : XMLElement("presence", namespace: NS.client, attributes: ["type": "unavailable"])
                    presence[attribute: "from"] = resource.session.jid.description
                    presence[attribute: "to"] = contact.description
                    if let work = router.route(presence) { await work() }
                }
                // And those on other cluster nodes, as they last announced themselves.
                for resource in router.cluster?.remote.available(of: user) ?? [] {
                    guard var presence = type == "subscribed"
                        ? resource.presence
                        : XMLElement("presence", namespace: NS.client, attributes: ["type": "unavailable"]) else { continue }
                    presence[attribute: "from"] = resource.jid.description
                    presence[attribute: "to"] = contact.description
                    if let work = router.route(presence) { await work() }
                }
            }
            if let work = router.route(forward) { await work() }
            if type == "subscribed" { await pep.subscriptionApproved(owner: user, contact: contact) }
        }
    }

    /// The contact's side: update the contact's roster and tell the contact's resources.
    private func subscriptionToContact(_ stanza: Stanza, type: String, contact: JID, user: JID) -> RoutingFollowup? {
        var incoming = stanza.element
        incoming[attribute: "from"] = user.description
        let element = incoming
        return { [self] in
            guard (try? await database.accounts.exists(jid: contact.description)) == true else { return }
            let before = try? await database.rosters.item(owner: contact.description, jid: user.description)
            if type == "subscribe", let before, before.subscription == "from" || before.subscription == "both" {
                // Already approved: answer for the contact (RFC 6121 §3.1.3).
                _ = router.route(XMLElement("presence", namespace: NS.client, attributes: [
                    "type": "subscribed", "from": contact.description, "to": user.description,
                ]))
                return
            }
            // Inbound subscription stanzas only change existing items, so a full roster never refuses them.
            let after = try? await rosters.update(owner: contact, contact: user) { item in
                SubscriptionState.inbound(type, item: item, user: user.description)
            }
            let changed = after != before
            guard type == "subscribe" || changed else { return }
            let online = sessions.resources(of: contact).filter(\.available)
            // The contact's available resources on other cluster nodes: this node made the change.
            let elsewhere = router.cluster?.remote.available(of: contact) ?? []
            for resource in elsewhere {
                var copy = element
                copy[attribute: "to"] = resource.jid.description
                router.cluster?.forward(copy, to: resource, from: user, deliverOnly: true)
            }
            if online.isEmpty && elsewhere.isEmpty {
                if type == "subscribe" {
                    _ = try? await database.offline.enqueue(owner: contact.description,
                                                            stanza: element.serialized(parentNamespace: NS.client), limit: router.offlineLimit)
                }
                return
            }
            for resource in online {
                var copy = element
                copy[attribute: "to"] = resource.session.jid.description
                resource.session.deliver(copy)
            }
        }
    }
}
