import Foundation
import Logging
import NIOCore
import SalonSecurity
import SalonStore
import XMPPCore

/// One client stream from first byte to last: STARTTLS, SASL, resource binding (RFC 6120),
/// then the bound session's stanzas handed to the router. Lives on its channel's event loop.
final class C2SConnection: XMPPStreamOwner, @unchecked Sendable {
    let context: ServerContext
    let stream: XMPPStream
    private let remoteAddress: String
    var logger: Logger
    private var tlsHandler: OpenSSLHandler?
    /// The SASL elements on the wire; owns the authenticated account.
    private lazy var sasl = SASLExchange(context: context, stream: stream, remoteAddress: remoteAddress) { [weak self] account, mechanism in
        self?.didAuthenticate(as: account, with: mechanism)
    }
    var session: ClientSession?
    private var pingOutstanding = false
    var negotiationTimer: Scheduled<Void>?
    /// XEP-0198 (C2SConnection+StreamManagement.swift): the SM-ID this connection registered
    /// for resumption, whether its client is away (detached), whether another stream took the
    /// session over, the detached session's timer, and whether the client closed the stream.
    var resumptionID: String?
    var isDetached = false
    var handedOver = false
    var resumptionTimer: Scheduled<Void>?
    private var clientClosed = false

    init(context: ServerContext, stream: XMPPStream, tlsHandler: OpenSSLHandler?, remoteAddress: String) {
        self.context = context
        self.stream = stream
        self.tlsHandler = tlsHandler
        self.remoteAddress = remoteAddress
        self.logger = stream.logger
        stream.owner = self
        negotiationTimer = stream.negotiationDeadline(seconds: context.configuration.limits.negotiationTimeout) { [self] in
            session != nil
        }
    }

    private var domain: String { context.domain }
    private var tlsActive: Bool { tlsHandler != nil }
    var authenticated: JID? { sasl.authenticated }
    private var mayAuthenticate: Bool { tlsActive || !context.configuration.tlsRequirementEnforced }

    // MARK: Stream events

    func stream(_ stream: XMPPStream, didOpen header: XMLStreamHeader) {
        let id = Self.streamID()
        guard header.contentNamespace == NS.client else {
            stream.openStream(from: domain, id: id)
            return stream.fail(.invalidNamespace, text: "Client streams use jabber:client.")
        }
        guard let to = header.attributes["to"], (try? JID(to))?.description == domain else {
            stream.openStream(from: domain, id: id)
            return stream.fail(.hostUnknown, text: "This server serves \(domain).")
        }
        stream.openStream(from: domain, id: id, to: header.attributes["from"].flatMap { try? JID($0).description })
        guard let version = header.attributes["version"], version.hasPrefix("1.") else {
            return stream.fail(.unsupportedVersion, text: "XMPP 1.0 streams only.")
        }
        stream.send(features())
    }

    func stream(_ stream: XMPPStream, didReceive element: XMLElement) {
        pingOutstanding = false
        if let session {
            if element.namespace == ClientStateUrgency.csi { return clientState(element) }
            if element.namespace == StreamManagement.ns { return streamManagement(element, session: session) }
            stream.streamManagement?.received()
            return handleStanza(element, session: session)
        }
        switch (element.namespace, element.name) {
        case (NS.tls, "starttls"): startTLS()
        case (NS.sasl, "auth"): sasl.authenticate(element, allowed: mayAuthenticate, tls: tlsHandler)
        case (NS.sasl, "response"): sasl.respond(element)
        case (NS.sasl, "abort"): sasl.abort()
        case (NS.client, "iq") where authenticated != nil: bind(element)
        case (StreamManagement.ns, "resume") where authenticated != nil: resume(element)
        case (StreamManagement.ns, "enable"), (StreamManagement.ns, "resume"):
            stream.send(StreamManagement.failed(.unexpectedRequest, text: "Authenticate and bind a resource first."))
        case (NS.client, _): stream.fail(.notAuthorized, text: "Authenticate and bind a resource first.")
        default: stream.fail(.unsupportedStanzaType, text: "<\(element.name)/> is not expected here.")
        }
    }

    func streamDidEnd(_ stream: XMPPStream) {
        clientClosed = true
        stream.close()
    }

    func streamDidStartClosing(_ stream: XMPPStream) {
        if mayDetach(clientClosed: clientClosed) { return detach() }
        endSession()
    }

    func streamDidDisconnect(_ stream: XMPPStream) {
        if session != nil { keepHandingBack(stream) }
        negotiationTimer?.cancel()
        sasl.releasePlace()
        if isDetached || handedOver { return }
        if mayDetach(clientClosed: clientClosed) { return detach() }
        if !endSession() { logger.info("connection closed") }
    }

    /// Unbinds the session, once, as soon as the stream starts closing: from then on what is
    /// routed to this resource goes elsewhere. What a stream-management session never got
    /// acknowledged is then handled as for a resource that is gone. Returns whether there was a
    /// session to end.
    @discardableResult
    func endSession() -> Bool {
        guard let session, !sessionEnded else { return false }
        // A resumption claimed this session: it takes it over on this loop shortly.
        if let id = resumptionID {
            guard context.resumption.remove(id, connection: self) else {
                isDetached = true
                stream.streamManagement?.startQueueing()
                return true
            }
            resumptionID = nil
        }
        sessionEnded = true
        retire(session)
        logger.info("session ended", metadata: ["jid": "\(session.jid)"])
        if let state = stream.streamManagement { endStreamManagement(state, session: session) }
        return true
    }

    /// A session that ends goes unavailable for whoever saw it, leaves the registry, and is
    /// forgotten by the other cluster nodes.
    func retire(_ session: ClientSession) {
        context.presence.broadcastUnavailable(nil, from: session)
        context.sessions.unbind(session)
        context.router.cluster?.sessionEnded(session)
    }

    var sessionEnded = false
    /// Messages handed back by the closing stream, on their way to offline storage.
    private var rerouting: Task<Void, Never>?

    /// RFC 6121 §8.5: with this resource gone, a message goes to the account's other resources
    /// or to offline storage, an iq request gets its error; room traffic and presence are not
    /// kept (rooms have their archive, presence is current state).
    func stream(_ stream: XMPPStream, couldNotDeliver element: XMLElement) {
        guard let followup = Self.handBack(element, account: session?.jid.bare, context: context) else { return }
        // Stored one after another, so offline storage keeps their order.
        let previous = rerouting
        let pendingWork = context.pendingWork
        pendingWork.begin()
        rerouting = Task {
            await previous?.value
            await followup()
            pendingWork.end()
        }
    }

    /// Where a stanza this resource could not take goes; the follow-up, when it is stored.
    static func handBack(_ element: XMLElement, account: JID?, context: ServerContext) -> RoutingFollowup? {
        guard let stanza = Stanza(element), !stanza.isError else { return nil }
        switch stanza.kind {
        case .message where stanza.type != "groupchat":
            // A carbon is only a copy of what another resource got (XEP-0280 §9): not kept.
            if let account, MessageCarbons.isCarbon(element, for: account) { return nil }
            return context.router.rerouteUndelivered(element)
        case .iq where stanza.type == "get" || stanza.type == "set":
            context.router.bounce(stanza, StanzaError(.serviceUnavailable))
            return nil
        default:
            return nil
        }
    }

    /// Once the connection is gone the stream lets go of this connection, yet a stanza routed
    /// to the session just before may still reach it: the stream hands such stanzas on as this
    /// connection would have (offline storage keeps their order by itself).
    private func keepHandingBack(_ stream: XMPPStream) {
        let account = session?.jid.bare
        let context = context
        stream.undeliverable = { element in
            guard let followup = C2SConnection.handBack(element, account: account, context: context) else { return }
            let pendingWork = context.pendingWork
            pendingWork.begin()
            Task {
                await followup()
                pendingWork.end()
            }
        }
    }

    func streamDidIdle(_ stream: XMPPStream) {
        guard let session, !pingOutstanding else {
            return stream.fail(.connectionTimeout, text: "No traffic.")
        }
        pingOutstanding = true
        stream.send(XMLElement("iq", namespace: NS.client, attributes: [
            "type": "get", "id": "idle-ping", "from": domain, "to": session.jid.description,
        ], children: [.element(XMLElement("ping", namespace: NS.ping))]))
    }

    // MARK: Features and TLS

    private func features() -> XMLElement {
        var features = XMLElement("features", namespace: NS.streams)
        if authenticated == nil {
            if !tlsActive, context.tls != nil {
                var starttls = XMLElement("starttls", namespace: NS.tls)
                if context.configuration.tlsRequirementEnforced { starttls.append(XMLElement("required", namespace: NS.tls)) }
                features.append(starttls)
            }
            if mayAuthenticate {
                sasl.features(tls: tlsHandler).forEach { features.append($0) }
            }
        } else {
            features.append(XMLElement("bind", namespace: NS.bind))
            features.append(XMLElement("session", namespace: NS.session, children: [.element(XMLElement("optional", namespace: NS.session))]))
            features.append(XMLElement("ver", namespace: "urn:xmpp:features:rosterver"))
            features.append(XMLElement("csi", namespace: ClientStateUrgency.csi))
            features.append(ServerEndpoint.capsFeature)
            features.append(XMLElement("sm", namespace: StreamManagement.ns))
        }
        return features
    }

    private func startTLS() {
        guard !tlsActive, authenticated == nil, let tls = context.tls else {
            stream.send(XMLElement("failure", namespace: NS.tls))
            return stream.close()
        }
        stream.send(XMLElement("proceed", namespace: NS.tls))
        // <proceed/> is already below this point in the pipeline; TLS goes first from now on.
        let handler = OpenSSLHandler(context: tls, role: .server)
        do {
            try stream.channel.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            logger.error("cannot start TLS", metadata: ["error": "\(error)"])
            return stream.channel.close(promise: nil) as Void
        }
        tlsHandler = handler
        stream.tls = handler
        (try? stream.channel.pipeline.syncOperations.handler(type: ConnectionLimitHandler.self))?.upgradedToTLS()
        stream.restart()
        logger.debug("STARTTLS")
    }

    // MARK: SASL

    /// `SASLExchange` sent `<success/>`: the stream starts over, authenticated.
    private func didAuthenticate(as account: JID, with mechanism: SASLMechanism) {
        stream.didAuthenticate()
        stream.restart()
        logger[metadataKey: "jid"] = "\(account)"
        logger.info("authenticated", metadata: ["mechanism": "\(mechanism.rawValue)"])
        context.metrics.authenticated(mechanism: mechanism.rawValue, .success)
    }

    static func streamID() -> String {
        Hex.encode(Crypto.nonceBytes(12))
    }

    // MARK: Resource binding

    private func bind(_ element: XMLElement) {
        guard let iq = Stanza(element), let authenticated else { return }
        if element.child("session", namespace: NS.session) != nil {
            return stream.send(iq.resultReply(nil))
        }
        guard iq.type == "set", let bindRequest = element.child("bind", namespace: NS.bind) else {
            return stream.send(iq.errorReply(StanzaError(.notAuthorized, text: "Bind a resource first.")))
        }
        var resource = bindRequest.child("resource", namespace: NS.bind)?.text ?? ""
        if resource.isEmpty { resource = "salon-" + Self.streamID().prefix(10) }
        guard let full = try? authenticated.with(resource: resource) else {
            return stream.send(iq.errorReply(StanzaError(.badRequest, text: "That resource is not a valid resourcepart.")))
        }
        let newSession = ClientSession(jid: full, stream: stream)
        let database = context.database
        stream.awaiting(started: { promise in
            database.loginState(owner: authenticated.description) { promise.completeWith($0) }
        }, then: { [self] result in
            guard case .success(let state) = result else {
                return stream.send(iq.errorReply(StanzaError(.internalServerError)))
            }
            context.sessions.bind(newSession, roster: state.roster, blocklist: state.blocklist, photoHash: state.photoHash)?
                .endAsReplaced("Replaced by a new session for the same resource.")
            session = newSession
            context.router.cluster?.sessionBound(newSession)
            negotiationTimer?.cancel()
            logger[metadataKey: "jid"] = "\(full)"
            logger.info("bound")
            var bound = XMLElement("bind", namespace: NS.bind)
            var jid = XMLElement("jid", namespace: NS.bind)
            jid.append(text: full.description)
            bound.append(jid)
            var result = iq.resultReply(bound)
            result[attribute: "to"] = nil
            stream.send(result)
        })
    }

    // MARK: Bound session

    /// XEP-0352 nonzas: never answered (§4.2); what an inactive stream holds is
    /// `ClientStateUrgency`'s choice, kept by `XMPPStream`.
    private func clientState(_ element: XMLElement) {
        let limits = context.configuration.limits
        let bounds = ClientStateLimits(maxHeldStanzas: limits.csiHeldStanzas, maxHeldBytes: limits.csiHeldBytes)
        switch element.name {
        case "active": stream.setClientInactive(false, limits: bounds)
        case "inactive": stream.setClientInactive(true, limits: bounds)
        default: return stream.fail(.unsupportedStanzaType, text: "<\(element.name)/> is not a client state.")
        }
        logger.debug("client state", metadata: ["state": "\(element.name)"])
    }

    /// The last `to` parsed. A client mostly writes to the same room or contact again, and
    /// parsing (normalising) a JID is a good part of what routing a groupchat message costs.
    private var lastRecipient: (address: String, jid: JID)?

    private func recipient(of stanza: Stanza) throws(JIDError) -> JID? {
        guard let address = stanza.element[attribute: "to"] else { return nil }
        if let lastRecipient, lastRecipient.address == address { return lastRecipient.jid }
        let jid = try JID(address)
        lastRecipient = (address, jid)
        return jid
    }

    private func handleStanza(_ element: XMLElement, session: ClientSession) {
        guard element.namespace == NS.client, var stanza = Stanza(element) else {
            return stream.fail(.unsupportedStanzaType, text: "<\(element.name)/> is not a stanza.")
        }
        stanza.setFrom(session.jid)
        let to: JID?
        do { to = try recipient(of: stanza) } catch {
            return session.deliver(stanza.errorReply(StanzaError(.jidMalformed)))
        }
        if let to, context.router.refusesOutbound(stanza, to: to, from: session) { return }
        var followup: RoutingFollowup?
        switch stanza.kind {
        case .presence:
            // RFC 6121 §4.7.1: the types the schema allows; anything else is not relayed.
            guard [nil, "unavailable", "subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe", "error"].contains(stanza.type) else {
                return session.deliver(stanza.errorReply(StanzaError(.badRequest, text: "Unknown presence type.")))
            }
            followup = context.presence.outbound(stanza, from: session)
        case .iq:
            guard stanza.id != nil, ["get", "set", "result", "error"].contains(stanza.type ?? "") else {
                return session.deliver(stanza.errorReply(StanzaError(.badRequest, text: "An iq needs an id and a valid type.")))
            }
            if (stanza.type == "get" || stanza.type == "set"), stanza.element.elements.count != 1 {
                return session.deliver(stanza.errorReply(StanzaError(.badRequest, text: "A get or set iq carries exactly one child.")))
            }
            if to == nil || to == session.jid.bare {
                if stanza.element.child("session", namespace: NS.session) != nil {
                    return session.deliver(stanza.resultReply(nil))
                }
                followup = context.accountEndpoint.handle(stanza, to: session.jid.bare, from: session.jid, session: session)
            } else if let to {
                followup = context.router.route(stanza, to: to, from: session.jid)
            }
        case .message:
            if to == nil { stanza.setTo(session.jid.bare) }
            followup = context.router.routeSent(stanza, to: to ?? session.jid.bare, by: session)
        }
        if let followup {
            stream.awaiting({ await followup() }, then: { _ in })
        }
    }
}

extension ClientSession {
    /// Its resource was bound anew: its stream ends with `conflict` and `text`; a detached
    /// session (XEP-0198) has no stream to fail, and ends now.
    func endAsReplaced(_ text: String) {
        stream.eventLoop.execute { [stream] in
            stream.fail(.conflict, text: text)
            (stream.owner as? C2SConnection)?.expire(reason: "replaced")
        }
    }
}
