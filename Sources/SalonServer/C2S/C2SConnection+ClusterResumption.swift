import Logging
import NIOCore
import SalonStore
import XMPPCore

/// XEP-0198 resumption of a session another cluster node holds (see ClusterRouter+Resumption).
extension C2SConnection {
    // MARK: On the node the client reconnected to

    /// Asks the other nodes for `previd`; the connection waits as for a local resumption.
    /// False when this node has no peer to ask.
    func resumeFromAnotherNode(previd: String, h: UInt32, account: JID, cluster: ClusterRouter) -> Bool {
        guard cluster.hasPeers else { return false }
        waitForResumedSession(previd)
        let promise = stream.eventLoop.makePromise(of: AccountLoginState.self)
        context.database.loginState(owner: account.bare.description) { promise.completeWith($0) }
        promise.futureResult.assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let login):
                if !cluster.askPeersToResume(previd, h: h, account: account.bare, login: login, connection: self) {
                    remoteResumptionFailed(h: nil, cause: "no other cluster node", bound: nil)
                }
            case .failure(let error):
                logger.storageFailure("stream management: resumption failed", error, metadata: ["account": "\(account.bare)"])
                remoteResumptionFailed(h: nil, cause: "storage", bound: nil)
            }
        }
        return true
    }

    /// On this loop: the session came over (bound here already); the client gets `<resumed/>`
    /// and what it had not acknowledged, then what arrived meanwhile.
    func attachMovedSession(_ session: ClientSession, state moved: MovedStreamState, previd: String, h: UInt32) {
        let limits = context.configuration.limits
        let previous = StreamManagement.restored(
            id: previd, resumeTimeout: moved.resumeTimeout, limits: limits.streamManagement, handled: moved.handled, sent: moved.sent,
            acked: moved.acked, queued: moved.queued.map { StreamManagement.Outbound(bytes: $0.bytes, element: $0.element) })
        logger.notice("stream management: session came over from another cluster node", metadata: ["account": "\(session.jid.bare)"])
        attach(HandOver(state: previous, session: session), previd: previd, h: h)
        stream.resume()
    }

    /// On this loop: no node handed the session over. A session bound meanwhile (its node sent
    /// it, then nothing more) ends as a lost connection's would.
    func remoteResumptionFailed(h: UInt32?, cause: String, bound: ClientSession?) {
        let placeholder = stream.streamManagement
        stream.streamManagement = nil
        if let bound {
            retire(bound)
            for element in placeholder?.takeUnhandled().compactMap(\.element) ?? [] { stream(stream, couldNotDeliver: element) }
        }
        logger.info("stream management: resumption failed", metadata: ["account": "\(authenticated?.bare.description ?? "")", "cause": "\(cause)"])
        stream.send(StreamManagement.failed(.itemNotFound, h: h))
        stream.resume()
    }

    // MARK: On the node that holds the session

    /// On this session's loop: hands it to `node`, whose client asked to resume it. First its
    /// address and presence (`moving`: the other node binds it, and routes there from then on),
    /// then, once it is gone from here, its stream-management state (`moved`); what still
    /// reaches this stream afterwards is forwarded. False when there is nothing to hand over
    /// (the session ended, or its state is too large for a frame: it stays, for a resumption here).
    func move(to node: String, request: ResumeRequest, cluster: ClusterRouter) -> Bool {
        guard let session, !sessionEnded, !handedOver, let state = stream.streamManagement,
              let presence = context.sessions.presence(of: session) else { return false }
        if !state.isQueueing { stream.queueHeldStanzas(in: state) }
        let moving = MovingSession(request: request.request, jid: session.jid, presence: presence.available ? presence.lastPresence : nil,
                                   priority: presence.priority, directedTo: Array(presence.directedTo), carbons: presence.carbons,
                                   blocklistPushes: presence.wantsBlocklistPushes)
        let queued = (Array(state.unacked) + Array(state.waiting)).map { MovedStreamState.Queued(bytes: $0.bytes, element: $0.element) }
        let moved = MovedStreamState(request: request.request, handled: state.handled, sent: state.sent, acked: state.acked,
                                     resumeTimeout: state.resumeTimeout, queued: queued)
        guard cluster.fits(.moved(moved)), cluster.send(.moving(moving), to: node) else {
            logger.notice("stream management: session not moved to another cluster node", metadata: [
                "account": "\(session.jid.bare)", "node": "\(node)", "cause": "its state is too large for a frame, or the link refused it"])
            context.resumption.register(request.id, account: session.jid.bare, connection: self)
            return false
        }
        // Routing goes to the other node before the session leaves the registry, so nothing
        // routed meanwhile finds it nowhere.
        cluster.sessionLeft(session.jid, serial: session.serial, to: node, as: moving, serialThere: request.serial)
        cluster.sessionRecord.ended(session.jid)
        context.sessions.unbind(session)
        handedOver = true
        sessionEnded = true
        isDetached = false
        resumptionID = nil
        resumptionTimer?.cancel()
        _ = state.takeUnhandled()
        stream.streamManagement = nil
        let jid = session.jid
        stream.resumedElsewhere = { [weak cluster] element in
            guard let cluster, let stanza = Stanza(element) else { return }
            cluster.forward(stanza, to: jid, from: ((try? stanza.from) ?? nil) ?? jid.domain, node: node, deliverOnly: true)
        }
        _ = cluster.send(.moved(moved), to: node)
        if !stream.isClosing { stream.fail(.conflict, text: "The session was resumed on another cluster node.") }
        logger.notice("stream management: session moved to another cluster node", metadata: [
            "account": "\(jid.bare)", "node": "\(node)", "unacked": "\(state.sent &- state.acked)", "queued": "\(queued.count)"])
        return true
    }
}
