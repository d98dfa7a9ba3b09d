import Logging
import NIOCore
import SalonSecurity
import XMPPCore

/// XEP-0198 on a client connection: enable, acks, detaching when the connection is lost,
/// resumption on a new connection, and the end of a session that is never resumed.
/// Everything runs on this connection's loop; a resumption hops to the old session's loop once.
extension C2SConnection {
    // MARK: Bound session: enable, r, a

    func streamManagement(_ element: XMLElement, session: ClientSession) {
        switch element.name {
        case "enable": enable(element, session: session)
        case "r":
            guard let state = stream.streamManagement else { return notEnabled(element) }
            stream.send(XMLElement("a", namespace: StreamManagement.ns, attributes: ["h": "\(state.handled)"]))
        case "a":
            guard let h = element[attribute: "h"].flatMap(UInt32.init) else {
                return stream.fail(.invalidXML, text: "<a/> needs an 'h' that is a 32-bit count.")
            }
            switch stream.acknowledged(h) {
            case nil: notEnabled(element)
            case .tooHigh(let h, let sent):
                logger.notice("stream management: handled count too high", metadata: ["h": "\(h)", "sent": "\(sent)"])
                stream.failHandledCountTooHigh(h: h, sent: sent)
            case .accepted: break
            }
        case "resume":
            stream.send(StreamManagement.failed(.unexpectedRequest, text: "A bound stream cannot resume another."))
        default:
            stream.fail(.unsupportedStanzaType, text: "<\(element.name)/> is not a stream management element here.")
        }
    }

    private func notEnabled(_ element: XMLElement) {
        stream.fail(.unsupportedStanzaType, text: "<\(element.name)/> before stream management was enabled.")
    }

    private func enable(_ element: XMLElement, session: ClientSession) {
        guard stream.streamManagement == nil else {
            return stream.send(StreamManagement.failed(.unexpectedRequest, text: "Stream management is already enabled."))
        }
        let limits = context.configuration.limits
        let wantsResume = ["true", "1"].contains(element[attribute: "resume"] ?? "")
        var timeout = limits.smResumeTimeout
        if let asked = element[attribute: "max"].flatMap(Int.init), asked > 0 { timeout = min(timeout, asked) }
        let id = wantsResume && timeout > 0 ? Hex.encode(Crypto.nonceBytes(18)) : nil
        var attributes: [String: String] = [:]
        if let id {
            attributes = ["id": id, "resume": "true", "max": "\(timeout)"]
            resumptionID = id
            context.resumption.register(id, account: session.jid.bare, connection: self)
        }
        stream.send(XMLElement("enabled", namespace: StreamManagement.ns, attributes: attributes))
        stream.streamManagement = StreamManagement(id: id, resumeTimeout: timeout, limits: limits.streamManagement)
        logger.info("stream management enabled", metadata: ["account": "\(session.jid.bare)", "resume": "\(id != nil)",
                                                            "max": "\(id != nil ? timeout : 0)"])
    }

    // MARK: Losing the connection

    /// Whether the session waits for its client instead of ending: resumption was enabled, the
    /// client did not close the stream, and the server did not end it for a reason of its own
    /// (a silent connection is a lost one).
    func mayDetach(clientClosed: Bool) -> Bool {
        guard !clientClosed, !isDetached, !handedOver, !sessionEnded, session != nil,
              let state = stream.streamManagement, state.isResumable else { return false }
        return stream.failure == nil || stream.failure == .connectionTimeout
    }

    /// The connection is gone: the session stays bound and available, what it is sent waits
    /// (after what an inactive client had held back), and the client has `resumeTimeout`
    /// seconds to resume.
    func detach() {
        guard let session, let state = stream.streamManagement else { return }
        isDetached = true
        state.startQueueing()
        stream.queueHeldStanzas(in: state)
        let push = context.push
        state.onQueuedWhileDetached = { [weak self] outbound in
            push.queuedForDetachedSession(session.jid, element: outbound.element, bytes: outbound.bytes,
                                          roomNicks: self?.stream.clientState?.roomNicks ?? [:])
            guard let self, state.isFull else { return }
            stream.eventLoop.execute { self.expire(reason: "queue full") }
        }
        resumptionTimer = stream.eventLoop.scheduleTask(in: .seconds(Int64(state.resumeTimeout))) { [self] in
            expire(reason: "timeout")
        }
        logger.notice("stream management: detached", metadata: [
            "account": "\(session.jid.bare)", "unacked": "\(state.unacked.count)", "waiting": "\(state.waiting.count)",
            "timeout": "\(state.resumeTimeout)",
        ])
        if state.isFull { expire(reason: "queue full") }
    }

    /// A detached session that will not be resumed (timed out, over its bound, replaced by a
    /// new binding of its resource, server shutdown) ends as a normal logout would.
    func expire(reason: String) {
        guard isDetached, !handedOver, !sessionEnded, let session else { return }
        if let id = resumptionID {
            // Claimed by a resumption that is on its way here: it takes the session over.
            guard context.resumption.remove(id, connection: self) else { return }
            resumptionID = nil
        }
        resumptionTimer?.cancel()
        let state = stream.streamManagement
        let unacked = state?.unacked.count ?? 0, waiting = state?.waiting.count ?? 0
        isDetached = false
        guard endSession() else { return }
        logger.notice("stream management: session not resumed", metadata: [
            "account": "\(session.jid.bare)", "cause": "\(reason)", "unacked": "\(unacked)", "waiting": "\(waiting)",
        ])
    }

    /// The session ended for good: what the client did not acknowledge or never got is handled
    /// as for a resource that is gone (messages to another resource or offline storage, iq
    /// answered with an error, the rest dropped).
    func endStreamManagement(_ state: StreamManagement, session: ClientSession) {
        let unhandled = state.takeUnhandled()
        stream.streamManagement = nil
        if let id = state.id { context.resumption.ended(id, account: session.jid.bare, h: state.handled) }
        resumptionTimer?.cancel()
        guard !unhandled.isEmpty else { return }
        let answered = unhandled.compactMap(\.element)
        logger.info("stream management: unacknowledged stanzas handled", metadata: [
            "account": "\(session.jid.bare)", "stanzas": "\(unhandled.count)", "rerouted": "\(answered.count)",
        ])
        for element in answered { stream(stream, couldNotDeliver: element) }
    }

    // MARK: Resumption (on the new connection)

    func resume(_ element: XMLElement) {
        guard let account = authenticated, session == nil, stream.streamManagement == nil else {
            return stream.send(StreamManagement.failed(.unexpectedRequest))
        }
        guard let previd = element[attribute: "previd"], let h = element[attribute: "h"].flatMap(UInt32.init) else {
            return stream.send(StreamManagement.failed(.badRequest, text: "<resume/> needs 'previd' and 'h'."))
        }
        let old: C2SConnection
        switch context.resumption.claim(previd, account: account.bare) {
        case .unknown:
            // Perhaps another cluster node's session: its client reconnected here.
            if let cluster = context.router.cluster, resumeFromAnotherNode(previd: previd, h: h, account: account, cluster: cluster) { return }
            logger.info("stream management: resumption failed", metadata: ["account": "\(account.bare)", "cause": "unknown id"])
            return stream.send(StreamManagement.failed(.itemNotFound))
        case .expired(let handled):
            logger.info("stream management: resumption failed", metadata: ["account": "\(account.bare)", "cause": "expired"])
            return stream.send(StreamManagement.failed(.itemNotFound, h: handled))
        case .found(let connection):
            old = connection
        }
        waitForResumedSession(previd)
        let newStream = stream
        let promise = stream.eventLoop.makePromise(of: HandOver?.self)
        old.stream.eventLoop.execute { promise.succeed(old.handOver(to: newStream)) }
        promise.futureResult.assumeIsolated().whenSuccess { [self] handOver in
            if let handOver {
                attach(handOver, previd: previd, h: h)
            } else {
                stream.streamManagement = nil
                logger.info("stream management: resumption failed", metadata: ["account": "\(account.bare)", "cause": "session ended"])
                stream.send(StreamManagement.failed(.itemNotFound))
            }
            stream.resume()
        }
    }

    /// While the session being resumed comes over (from another connection or another node):
    /// deliveries to it wait until the old one's backlog is written, and input waits too. Unlike
    /// `awaiting`, the answer is taken even if this connection closes first, so the session is
    /// never left between two streams.
    func waitForResumedSession(_ previd: String) {
        let limits = context.configuration.limits
        let placeholder = StreamManagement(id: previd, resumeTimeout: limits.smResumeTimeout, limits: limits.streamManagement)
        placeholder.startQueueing()
        stream.streamManagement = placeholder
        stream.suspend()
    }

    struct HandOver: @unchecked Sendable {
        let state: StreamManagement
        let session: ClientSession
    }

    /// On the old session's loop: gives its state and its place in the registry to a session
    /// on `newStream`, and closes the old stream if it is still open.
    private func handOver(to newStream: XMPPStream) -> HandOver? {
        guard let session, !sessionEnded, !handedOver, let state = stream.streamManagement else { return nil }
        // The same serial: other cluster nodes keep naming it as before.
        let newSession = ClientSession(jid: session.jid, stream: newStream, serial: session.serial)
        guard context.sessions.replace(session, with: newSession) else {
            // Its resource was bound anew meanwhile; the claim left nobody else to end it.
            resumptionID = nil
            expire(reason: "replaced")
            return nil
        }
        handedOver = true
        sessionEnded = true
        resumptionID = nil
        resumptionTimer?.cancel()
        if !state.isQueueing { stream.queueHeldStanzas(in: state) }
        state.onQueuedWhileDetached = nil
        stream.streamManagement = nil
        stream.resumedElsewhere = { newSession.deliver($0) }
        if !stream.isClosing { stream.fail(.conflict, text: "The session was resumed on another connection.") }
        isDetached = false
        return HandOver(state: state, session: newSession)
    }

    /// Back on the new connection's loop with the old session's state.
    func attach(_ handOver: HandOver, previd: String, h: UInt32) {
        let previous = handOver.state
        session = handOver.session
        negotiationTimer?.cancel()
        let account = handOver.session.jid.bare
        logger[metadataKey: "jid"] = "\(handOver.session.jid)"
        if case .tooHigh(let h, let sent) = previous.acknowledge(h) {
            stream.streamManagement?.adopt(previous)
            logger.notice("stream management: handled count too high", metadata: ["h": "\(h)", "sent": "\(sent)"])
            return stream.failHandledCountTooHigh(h: h, sent: sent)
        }
        resumptionID = previd
        context.resumption.register(previd, account: account, connection: self)
        if stream.isClosing {
            // The new connection went away meanwhile: the session waits again.
            stream.streamManagement?.adopt(previous)
            return detach()
        }
        let answer = XMLElement("resumed", namespace: StreamManagement.ns, attributes: ["previd": previd, "h": "\(previous.handled)"])
        let (resent, queued) = stream.completeResumption(of: previous, answer: answer)
        logger.notice("stream management: resumed", metadata: [
            "account": "\(account)", "resent": "\(resent)", "queued": "\(queued)",
        ])
    }
}

extension StreamManagement {
    /// `<failed/>` with a stanza error condition (XEP-0198 §6), and `h` where the session is known.
    static func failed(_ condition: StanzaErrorCondition, text: String? = nil, h: UInt32? = nil) -> XMLElement {
        var failed = XMLElement("failed", namespace: ns, attributes: h.map { ["h": "\($0)"] } ?? [:])
        failed.append(XMLElement(condition.rawValue, namespace: NS.stanzaErrors))
        if let text { failed.append(XMLElement("text", namespace: NS.stanzaErrors, children: [.text(text)])) }
        return failed
    }
}
