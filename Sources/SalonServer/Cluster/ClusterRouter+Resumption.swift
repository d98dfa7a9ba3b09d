import NIOCore
import SalonStore
import XMPPCore

/// A resumption this node asked its peers for: the client's connection waits (suspended, its
/// stanzas queueing) until the node holding the session sends it over or every peer says no.
/// Guarded by the router's lock.
final class PendingResumption: @unchecked Sendable {
    let connection: C2SConnection
    let previd: String
    /// The account the client authenticated as.
    let account: JID
    /// What the client said it handled.
    let h: UInt32
    /// The session's serial here.
    let serial: UInt64
    /// The account's roster, blocklist and photo, loaded before asking.
    let login: AccountLoginState
    /// Peers asked, and how many said no.
    let asked: Int
    var refusals = 0
    /// What the session had handled when it ended, from the peer where it did.
    var endedWithH: UInt32?
    /// Bound here once its node said it is moving.
    var session: ClientSession?

    init(connection: C2SConnection, previd: String, account: JID, h: UInt32, serial: UInt64, login: AccountLoginState, asked: Int) {
        self.connection = connection
        self.previd = previd
        self.account = account
        self.h = h
        self.serial = serial
        self.login = login
        self.asked = asked
    }
}

/// XEP-0198 resumption across nodes (issue #21): a client whose connection broke reconnects,
/// perhaps to another node of the pool, and resumes there. The node it reaches asks every peer;
/// the one holding the session detached hands it over (`C2SConnection.move`) and forwards what
/// still reaches it, so the client loses nothing, and its rooms and contacts see it stay.
extension ClusterRouter {
    /// How long a client waits for its session to come over from another node.
    static let resumptionPatience = TimeAmount.seconds(10)
    /// How many moved sessions' serials are remembered, to pass on fan-outs that still name them.
    static let rememberedMoves = 10_000

    /// Asks every peer for the session `previd` of `account`; the answer reaches `connection` on
    /// its loop (`attachMovedSession` or `remoteResumptionFailed`). False when there is no peer.
    func askPeersToResume(_ previd: String, h: UInt32, account: JID, login: AccountLoginState, connection: C2SConnection) -> Bool {
        let peers = parts.links.peers
        guard !peers.isEmpty else { return false }
        let serial = ClientSession.nextSerial()
        let request = state.withLock { state in
            state.lastRequest += 1
            state.resumptions[state.lastRequest] = PendingResumption(connection: connection, previd: previd, account: account, h: h, serial: serial,
                                                                     login: login, asked: peers.count)
            return state.lastRequest
        }
        for peer in peers {
            let asked = (try? parts.links.send(.resumption(.request(ResumeRequest(request: request, id: previd, account: account,
                                                                                  serial: serial))), to: peer)) != nil
            if !asked { refused(ResumeRefusal(request: request, h: nil)) }
        }
        connection.stream.eventLoop.scheduleTask(in: Self.resumptionPatience) { [self] in
            guard let pending = state.withLock({ $0.resumptions.removeValue(forKey: request) }) else { return }
            pending.connection.remoteResumptionFailed(h: pending.endedWithH, cause: "no answer from the other cluster nodes",
                                                      bound: pending.session)
        }
        return true
    }

    func link(_ peer: NodeLinkPeer, resumption: ResumptionFrame) {
        switch resumption {
        case .request(let request): resume(request, for: peer.node)
        case .moving(let moving): sessionMoving(moving, from: peer.node)
        case .moved(let moved): sessionMoved(moved)
        case .refused(let refusal): refused(refusal)
        }
    }

    /// Sends a step of a resumption to `node`; false when its link refuses it.
    func send(_ resumption: ResumptionFrame, to node: String) -> Bool {
        (try? parts.links.send(.resumption(resumption), to: node)) != nil
    }

    /// Whether `resumption` fits in one frame a link accepts.
    func fits(_ resumption: ResumptionFrame) -> Bool {
        var bytes: [UInt8] = []
        resumption.element.serialize(into: &bytes, parentNamespace: NodeLinkNamespace.cluster)
        return bytes.count < NodeLinkOptions().maxFrameBytes
    }

    // MARK: On the node that holds the session

    private func resume(_ request: ResumeRequest, for node: String) {
        switch parts.resumable.claim(request.id, account: request.account) {
        case .unknown:
            _ = send(.refused(ResumeRefusal(request: request.request, h: nil)), to: node)
        case .expired(let h):
            _ = send(.refused(ResumeRefusal(request: request.request, h: h)), to: node)
        case .found(let connection):
            connection.stream.eventLoop.execute { [self] in
                if !connection.move(to: node, request: request, cluster: self) {
                    _ = send(.refused(ResumeRefusal(request: request.request, h: nil)), to: node)
                }
            }
        }
    }

    /// The session `jid` (serial `serial` here) is now `node`'s, as `serial there`: this node
    /// routes to it there, and passes on fan-outs that still name it here.
    func sessionLeft(_ jid: JID, serial: UInt64, to node: String, as moving: MovingSession, serialThere: UInt64) {
        remote.update(SessionState(jid: jid, serial: serialThere, sequence: 0, presence: moving.presence, carbons: moving.carbons), node: node)
        state.withLock { $0.movedSerials.insert((node, serialThere), for: serial) }
    }

    /// A fan-out named sessions no longer here: those that moved to another node get it there.
    func passOnMoved(_ received: FanoutStanza, found: [ClientSession]) {
        let here = Set(found.map(\.serial))
        let onward = state.withLock { state -> [String: [UInt64]] in
            var onward: [String: [UInt64]] = [:]
            for serial in received.recipients where !here.contains(serial) {
                if let moved = state.movedSerials[serial] { onward[moved.node, default: []].append(moved.serial) }
            }
            return onward
        }
        for (node, recipients) in onward { fanout(received.stanza, to: recipients, on: node) }
    }

    // MARK: On the node the client reconnected to

    private func sessionMoving(_ moving: MovingSession, from node: String) {
        guard let pending = state.withLock({ state -> PendingResumption? in
            guard let pending = state.resumptions[moving.request], pending.session == nil, moving.jid.bare == pending.account else { return nil }
            return pending
        }) else {
            // Given up on meanwhile: the session ends, for every node (its old node pointed its
            // routing here; the others learn it was here, then that it ended).
            logger.notice("cluster: a session moved here after its client stopped waiting: ended", metadata: ["jid": "\(moving.jid)"])
            let serial = ClientSession.nextSerial()
            sendToEveryPeer(.session(SessionState(jid: moving.jid, serial: serial, sequence: nextAnnouncement(), presence: nil)))
            sendToEveryPeer(.ended(EndedSession(jid: moving.jid, serial: serial)))
            return
        }
        let session = ClientSession(jid: moving.jid, stream: pending.connection.stream, serial: pending.serial)
        let sessions = parts.sessions!
        sessions.bind(session, roster: pending.login.roster, blocklist: pending.login.blocklist, photoHash: pending.login.photoHash)?
            .endAsReplaced("Replaced by a session resumed from another cluster node.")
        sessions.updatePresence(of: session) { presence in
            presence.available = moving.presence != nil
            presence.priority = max(-128, min(127, moving.priority))
            presence.lastPresence = moving.presence
            presence.directedTo = Set(moving.directedTo)
            presence.carbons = moving.carbons
            presence.wantsBlocklistPushes = moving.blocklistPushes
        }
        remote.movedHere(moving.jid, from: node)
        state.withLock { _ in pending.session = session }
        sessionBound(session)
    }

    private func sessionMoved(_ moved: MovedStreamState) {
        guard let pending = state.withLock({ state -> PendingResumption? in
            guard state.resumptions[moved.request]?.session != nil else { return nil }
            return state.resumptions.removeValue(forKey: moved.request)
        }), let session = pending.session else { return }
        pending.connection.stream.eventLoop.execute {
            pending.connection.attachMovedSession(session, state: moved, previd: pending.previd, h: pending.h)
        }
    }

    private func refused(_ refusal: ResumeRefusal) {
        let failed = state.withLock { state -> PendingResumption? in
            guard let pending = state.resumptions[refusal.request] else { return nil }
            pending.refusals += 1
            if let h = refusal.h { pending.endedWithH = h }
            guard pending.refusals >= pending.asked, pending.session == nil else { return nil }
            state.resumptions[refusal.request] = nil
            return pending
        }
        guard let failed else { return }
        failed.connection.stream.eventLoop.execute {
            failed.connection.remoteResumptionFailed(h: failed.endedWithH, cause: failed.endedWithH == nil ? "unknown id" : "expired",
                                                     bound: nil)
        }
    }
}
