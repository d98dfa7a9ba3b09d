import Logging
import PersistentChat
import Synchronization
import XMPPCore

/// Carries stanzas between the nodes of a cluster (issue #21). A stanza for a room another node
/// owns goes to that node in a route frame; what a room sends to occupants on other nodes goes
/// one copy per node (a fanout frame), which that node hands to its own sessions. Which node a
/// remote occupant's session is on is learnt from the route frames its stanzas arrive in, and
/// forgotten when that node says the session ended or the node leaves the cluster.
final class ClusterRouter: NodeLinkDelegate {
    let membership: ClusterMembership
    let serverDomain: String
    private let logger: Logger
    private let state = Mutex(State())
    private let parts = Parts()

    private struct State {
        /// Sessions of other nodes heard from, by full JID: the node each is on.
        var remote: [JID: String] = [:]
        /// This node's sessions whose stanzas went to other nodes: the nodes to tell when each ends.
        var told: [JID: Set<String>] = [:]
        /// Applies membership changes one at a time, in order.
        var follower: (Task<Void, Never>, AsyncStream<ClusterChange>.Continuation)?
    }

    /// What the router is made of besides this: connected once, before any stream exists
    /// (`SalonServer.start`); written once, then only read.
    private final class Parts: @unchecked Sendable {
        unowned(unsafe) var router: Router!
        var links: NodeLinks!
        var muc: MUCService!
        var sessions: SessionRegistry!
    }

    init(membership: ClusterMembership, serverDomain: String, logger: Logger) {
        self.membership = membership
        self.serverDomain = serverDomain
        self.logger = logger
    }

    /// Connects the parts frames go through; once, before any stream exists.
    func connect(router: Router, links: NodeLinks, muc: MUCService, sessions: SessionRegistry) {
        precondition(parts.router == nil, "a cluster router is connected once")
        parts.router = router
        parts.links = links
        parts.muc = muc
        parts.sessions = sessions
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

    /// The node a session of another node is on; nil for sessions never heard from.
    func node(of session: JID) -> String? {
        state.withLock { $0.remote[session] }
    }

    /// Sends a stanza to `node`, or bounces it when the link to that node refuses it.
    func forward(_ stanza: Stanza, to: JID, from: JID, node: String) -> RoutingFollowup? {
        do {
            try parts.links.send(route: RoutedStanza(to: to, from: from, stanza: stanza.element), to: node)
        } catch {
            parts.router.bounce(stanza, StanzaError(.serviceUnavailable, type: .wait, text: "The cluster node serving \(to.bare) cannot be reached."))
            return nil
        }
        if from.domainpart == serverDomain, from.resourcepart != nil, parts.sessions.session(from) != nil {
            state.withLock { _ = $0.told[from, default: []].insert(node) }
        }
        return nil
    }

    /// Sends one copy of `element` to `node` for its sessions `recipients`.
    func fanout(_ element: XMLElement, to recipients: [JID], on node: String) {
        try? parts.links.send(fanout: FanoutStanza(recipients: recipients, stanza: element), to: node)
    }

    /// A session of this node ended: the nodes its stanzas went to forget it.
    func sessionEnded(_ jid: JID) {
        guard let nodes = state.withLock({ $0.told.removeValue(forKey: jid) }) else { return }
        for node in nodes { try? parts.links.send(ended: jid, to: node) }
    }

    // MARK: Incoming (on the link's event loop, in the order the peer sent)

    func link(_ peer: NodeLinkPeer, received route: RoutedStanza) {
        guard let stanza = Stanza(route.stanza) else { return }
        if route.from.domainpart == serverDomain, route.from.resourcepart != nil {
            state.withLock { $0.remote[route.from] = peer.node }
        }
        if let followup = parts.router.arrived(stanza, to: route.to, from: route.from) {
            Task { await followup() }
        }
    }

    func link(_ peer: NodeLinkPeer, received fanout: FanoutStanza) {
        parts.router.deliverHere(fanout.stanza, to: fanout.recipients)
    }

    func link(_ peer: NodeLinkPeer, sessionEnded jid: JID) {
        state.withLock { state in
            if state.remote[jid] == peer.node { state.remote[jid] = nil }
        }
    }

    func linkUp(_ peer: NodeLinkPeer) {}

    func linkDown(_ peer: NodeLinkPeer) {}

    // MARK: Membership

    /// A node left or died: its sessions are gone from this node's rooms (status 333), rooms
    /// this node no longer owns are let go of without a word to their occupants, and this
    /// node's sessions join again every room whose owner changed, so the new owner knows them.
    private func membershipChanged(_ change: ClusterChange) {
        let departed = Set(change.departed.map(\.id))
        let lost = state.withLock { state -> Set<JID> in
            let lost = Set(state.remote.filter { departed.contains($0.value) }.keys)
            for jid in lost { state.remote[jid] = nil }
            for jid in state.told.keys { state.told[jid]?.subtract(departed) }
            return lost
        }
        let muc = parts.muc!
        muc.relinquishRooms { [self] room in membership.isLocal(room: room) }
        if !lost.isEmpty {
            logger.notice("cluster sessions lost with their node", metadata: ["sessions": "\(lost.count)",
                                                                             "nodes": "\(departed.sorted().joined(separator: ","))"])
            muc.sessionsLost(lost)
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
