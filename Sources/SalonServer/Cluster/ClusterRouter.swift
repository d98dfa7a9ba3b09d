import Logging
import PersistentChat
import Synchronization
import XMPPCore

/// Carries stanzas between the nodes of a cluster (issue #21). A stanza for a room another node
/// owns goes to that node in a route frame; what a room sends to occupants on other nodes goes
/// one copy per node (a fanout frame), which that node hands to its own sessions. Every node
/// announces its sessions to the others (`RemoteSessions`), so 1:1 traffic and presence reach an
/// account's resources on whichever node they are.
final class ClusterRouter: NodeLinkDelegate {
    let membership: ClusterMembership
    let serverDomain: String
    let logger: Logger
    let state = Mutex(State())
    let parts = Parts()

    /// The other nodes' sessions.
    let remote = RemoteSessions()
    /// This node's sessions that peers' fanout frames name, resolved.
    private let receivedAudiences = ReceivedAudiences()
    /// This node's sessions, as recorded in the database.
    let sessionRecord: SessionRecord
    /// Orders this node's announcements: a receiver keeps the one with the greatest number.
    private let announcements = Atomic<UInt64>(0)

    struct State {
        /// Applies membership changes one at a time, in order.
        var follower: (Task<Void, Never>, AsyncStream<ClusterChange>.Continuation)?
        /// Resumptions this node asked its peers for, by request number.
        var resumptions: [UInt64: PendingResumption] = [:]
        var lastRequest: UInt64 = 0
        /// Sessions that moved from here to another node, by their serial here: fan-outs that
        /// still name them are passed on (see ClusterRouter+Resumption).
        var movedSerials = RecentEntries<UInt64, (node: String, serial: UInt64)>(capacity: ClusterRouter.rememberedMoves)
        /// Components connected to other nodes: configured domain → node.
        var components: [String: String] = [:]
    }

    /// What the router is made of besides this: connected once, before any stream exists
    /// (`SalonServer.start`); written once, then only read.
    final class Parts: @unchecked Sendable {
        unowned var router: Router!
        var links: NodeLinks!
        var muc: MUCService!
        var sessions: SessionRegistry!
        var resumable: ResumableSessions!
        var components: ComponentRegistry!
    }

    init(membership: ClusterMembership, serverDomain: String, logger: Logger) {
        self.membership = membership
        self.serverDomain = serverDomain
        self.logger = logger
        sessionRecord = membership.sessionRecord(logger: logger)
    }

    /// Connects the parts frames go through; once, before any stream exists.
    func connect(router: Router, links: NodeLinks, muc: MUCService, sessions: SessionRegistry, resumable: ResumableSessions,
                 components: ComponentRegistry) {
        precondition(parts.router == nil, "a cluster router is connected once")
        parts.router = router
        parts.links = links
        parts.muc = muc
        parts.sessions = sessions
        parts.resumable = resumable
        parts.components = components
        let (changes, continuation) = AsyncStream.makeStream(of: ClusterChange.self)
        membership.observe { continuation.yield($0) }
        let follower = Task {
            await links.update(peers: NodeLinks.addresses(of: membership))
            for await change in changes {
                // Links to new peers first: what moves to them below is queued on those links.
                await links.update(peers: NodeLinks.addresses(of: membership))
                membershipChanged(change)
            }
        }
        state.withLock { $0.follower = (follower, continuation) }
    }

    /// Stops following the membership, then stops the links (what they hold is written first).
    func stop() async {
        guard let (follower, continuation) = state.withLock({ state in defer { state.follower = nil }; return state.follower }) else { return }
        continuation.finish()
        await follower.value
        await parts.links.stop()
    }

    var node: String { membership.node }

    // MARK: Outgoing

    /// The node that owns `room` (a room's localpart), when it is not this one.
    func remoteOwner(ofRoom room: String) -> String? {
        guard let owner = membership.owner(ofRoom: room), owner != node else { return nil }
        return owner
    }

    /// The node a session of another node is on.
    func node(of session: JID) -> String? {
        remote.node(of: session)
    }

    /// Sends a stanza to `node` for `to`, or bounces it when the link to that node refuses it.
    /// `deliverOnly`: this node did the routing; the other hands it to the session.
    func forward(_ stanza: Stanza, to: JID, from: JID, node: String, deliverOnly: Bool = false, interest: String? = nil) {
        do {
            try parts.links.send(.route(RoutedStanza(to: to, from: from, stanza: stanza.element, deliverOnly: deliverOnly, interest: interest)),
                                 to: node)
        } catch {
            parts.router.bounce(stanza, StanzaError(.serviceUnavailable, type: .wait, text: "The cluster node serving \(to.bare) cannot be reached."))
        }
    }

    /// Sends `element` (addressed as the caller chose) to a session of another node.
    func forward(_ element: XMLElement, to resource: RemoteResource, from: JID, deliverOnly: Bool = false, interest: String? = nil) {
        guard let stanza = Stanza(element) else { return }
        forward(stanza, to: resource.jid, from: from, node: resource.node, deliverOnly: deliverOnly, interest: interest)
    }

    /// Sends one copy of `element` to `node` for its sessions `recipients` (their serials there).
    func fanout(_ element: XMLElement, to recipients: [UInt64], on node: String) {
        try? parts.links.send(.fanout(FanoutStanza(recipients: recipients, stanza: element)), to: node)
    }

    /// The same, from the bytes a room's fan-out already serialised for its own sessions.
    func fanout(_ spliced: SplicedStanza, to recipients: [UInt64], on node: String) {
        try? parts.links.send(serialized: FanoutStanza.frame(recipients: recipients, spliced: spliced), to: node)
    }

    /// Sends `frame` to every live peer (a link that refuses it has logged why).
    func sendToEveryPeer(_ frame: NodeLinkFrame) {
        for peer in parts.links.peers { try? parts.links.send(frame, to: peer) }
    }

    /// Whether this node has a live peer.
    var hasPeers: Bool { !parts.links.peers.isEmpty }

    /// Tells every other node where a session of this node stands now: bound, or available with
    /// its last presence, and whether it takes carbons. Called after each change of that state.
    func announce(_ session: ClientSession) {
        guard let state = state(of: session) else { return }
        sendToEveryPeer(.session(state))
    }

    private func state(of session: ClientSession) -> SessionState? {
        guard let presence = parts.sessions.presence(of: session) else { return nil }
        return SessionState(jid: session.jid, serial: session.serial, sequence: nextAnnouncement(),
                            presence: presence.available ? presence.lastPresence : nil, carbons: presence.carbons)
    }

    /// A session bound here (by a client, or come over from another node): every other node
    /// learns of it, and the database records it.
    func sessionBound(_ session: ClientSession) {
        sessionRecord.bound(session.jid)
        announce(session)
    }

    func nextAnnouncement() -> UInt64 {
        announcements.add(1, ordering: .relaxed).newValue
    }

    /// A session of this node ended: every other node forgets it, and so does the database
    /// unless another session bound that JID here meanwhile.
    func sessionEnded(_ session: ClientSession) {
        if parts.sessions.session(session.jid) == nil { sessionRecord.ended(session.jid) }
        sendToEveryPeer(.ended(EndedSession(jid: session.jid, serial: session.serial)))
    }

    /// A component connected here or left: the other nodes route its domain here, or no more.
    func component(_ domain: String, connected: Bool) {
        sendToEveryPeer(.component(ComponentPresence(domain: domain, connected: connected)))
    }

    /// The node a component of `domain` (its configured domain) is connected to, when another.
    func componentNode(_ domain: String) -> String? {
        state.withLock { $0.components[domain] }
    }

    // MARK: Incoming (on the link's event loop, in the order the peer sent)

    func link(_ peer: NodeLinkPeer, component: ComponentPresence) {
        state.withLock { state in
            if component.connected {
                state.components[component.domain] = peer.node
            } else if state.components[component.domain] == peer.node {
                state.components[component.domain] = nil
            }
        }
    }

    func link(_ peer: NodeLinkPeer, received route: RoutedStanza) {
        guard let stanza = Stanza(route.stanza) else { return }
        let followup = route.deliverOnly
            ? parts.router.deliverToSession(stanza, to: route.to, from: route.from, interest: route.interest)
            : parts.router.arrived(stanza, to: route.to, from: route.from)
        if let followup { Task { await followup() } }
    }

    func link(_ peer: NodeLinkPeer, received fanout: FanoutStanza) {
        let fanoutHere = Fanout(sessions: parts.sessions, router: parts.router)
        if let audience = receivedAudiences.audience(fanout.recipients, from: peer.node, isCurrent: fanoutHere.isCurrent) {
            return fanoutHere.deliver(fanout.stanza, to: audience)
        }
        let found = parts.sessions.sessions(serials: fanout.recipients)
        let audience = fanoutHere.audience(of: found)
        fanoutHere.deliver(fanout.stanza, to: audience)
        if found.count < fanout.recipients.count {
            passOnMoved(fanout, found: found)
        } else {
            receivedAudiences.keep(audience, for: fanout.recipients, from: peer.node)
        }
    }

    func link(_ peer: NodeLinkPeer, sessionEnded ended: EndedSession) {
        remote.remove(ended.jid, node: peer.node, serial: ended.serial)
    }

    func link(_ peer: NodeLinkPeer, session: SessionState) {
        guard session.jid.domainpart == serverDomain else { return }
        remote.update(session, node: peer.node)
    }

    /// A link to a peer is up: the peer learns every session of this node as it stands now
    /// (after what waited for the link, which this supersedes).
    func linkUp(_ peer: NodeLinkPeer) {
        guard peer.direction == .outbound else { return }
        let sessions = parts.sessions!
        for session in sessions.allSessions {
            guard let state = state(of: session) else { continue }
            try? parts.links.send(.session(state), to: peer.node)
        }
        for link in parts.components.connected {
            try? parts.links.send(.component(ComponentPresence(domain: link.domain, connected: true)), to: peer.node)
        }
    }

    func linkDown(_ peer: NodeLinkPeer) {}

    // MARK: Membership

    /// A node left or died: its sessions are gone from this node's rooms (status 333), rooms
    /// this node no longer owns are let go of without a word to their occupants, and this
    /// node's sessions join again every room whose owner changed, so the new owner knows them.
    private func membershipChanged(_ change: ClusterChange) {
        let departed = Set(change.departed.map(\.id))
        if !departed.isEmpty {
            sessionRecord.forget(nodes: departed.sorted())
            state.withLock { state in state.components = state.components.filter { !departed.contains($0.value) } }
        }
        receivedAudiences.forget(departed)
        let lostResources = remote.removeAll(on: departed)
        let lost = Set(lostResources.map(\.jid))
        let muc = parts.muc!
        muc.relinquishRooms { [self] room in membership.isLocal(room: room) }
        if !lost.isEmpty {
            logger.notice("cluster sessions lost with their node", metadata: ["sessions": "\(lost.count)",
                                                                             "nodes": "\(departed.sorted().joined(separator: ","))"])
            muc.sessionsLost(lost)
            parts.router.presenceService.remoteResourcesLost(lostResources)
        }
        rejoinMovedRooms(before: change.before, after: change.after)
    }

    /// Sends each local session's presence again to every room it is in whose owner changed,
    /// without asking for history: the new owner learns the occupant, the client sees it stay.
    private func rejoinMovedRooms(before: RoomPlacement, after: RoomPlacement) {
        let router = parts.router!, muc = parts.muc!
        var rejoined = 0
        for session in parts.sessions.allSessions {
            guard let presence = parts.sessions.presence(of: session) else { continue }
            for room in presence.directedTo where room.domainpart == muc.domain && room.resourcepart != nil {
                guard let localpart = room.localpart, before.owner(of: localpart) != after.owner(of: localpart) else { continue }
                var join = presence.lastPresence ?? XMLElement("presence", namespace: NS.client)
                join[attribute: "type"] = nil
                join[attribute: "to"] = room.description
                join[attribute: "from"] = session.jid.description
                join.removeChildren("x", namespace: MUC.ns)
                join.append(XMLElement("x", namespace: MUC.ns, children: [
                    .element(XMLElement("history", namespace: MUC.ns, attributes: ["maxstanzas": "0"])),
                ]))
                _ = router.route(join)
                rejoined += 1
            }
        }
        if rejoined > 0 { logger.notice("cluster rooms moved: occupants joined their new owner", metadata: ["joins": "\(rejoined)"]) }
    }
}
