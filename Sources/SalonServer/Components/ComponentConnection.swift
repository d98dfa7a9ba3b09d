import Foundation
import Logging
import NIOCore
import SalonSecurity
import XMPPCore

/// One external component stream (XEP-0114): handshake with the shared secret, then stanzas
/// both ways. A component speaks for its domain and every JID under it.
final class ComponentConnection: XMPPStreamOwner, @unchecked Sendable {
    private let context: ServerContext
    private let stream: XMPPStream
    private let remoteAddress: String
    private var logger: Logger
    private var streamID = ""
    private var domain: String?
    private var link: ComponentLink?
    private var negotiationTimer: Scheduled<Void>?

    init(context: ServerContext, stream: XMPPStream, remoteAddress: String) {
        self.context = context
        self.stream = stream
        self.remoteAddress = remoteAddress
        self.logger = stream.logger
        stream.owner = self
        negotiationTimer = stream.negotiationDeadline(seconds: context.configuration.limits.negotiationTimeout) { [self] in
            link != nil
        }
    }

    func stream(_ stream: XMPPStream, didOpen header: XMLStreamHeader) {
        streamID = C2SConnection.streamID()
        let requested = header.attributes["to"].flatMap { try? JID($0) }?.description ?? ""
        stream.servedDomain = requested
        guard header.contentNamespace == NS.component else {
            stream.openStream(from: requested, id: streamID, version: false)
            return stream.fail(.invalidNamespace, text: "Components use jabber:component:accept.")
        }
        stream.openStream(from: requested, id: streamID, version: false)
        guard context.components.secrets[requested] != nil else {
            return stream.fail(.hostUnknown, text: "No component is configured for \(requested).")
        }
        stream.flush()
        domain = requested
        logger[metadataKey: "component"] = "\(requested)"
    }

    func stream(_ stream: XMPPStream, didReceive element: XMLElement) {
        guard let link else { return handshake(element) }
        guard element.namespace == NS.component, Stanza(element) != nil else {
            return stream.fail(.unsupportedStanzaType, text: "<\(element.name)/> is not a stanza.")
        }
        let stanza = Stanza(element.movingNamespace(from: NS.component, to: NS.client))!
        guard let from = try? stanza.from, from.domainpart == link.domain || from.domainpart.hasSuffix("." + link.domain) else {
            return stream.fail(.invalidFrom, text: "A component sends from its own domain.")
        }
        guard (try? stanza.to) != nil else {
            return link.deliver(stanza.errorReply(StanzaError(.jidMalformed, text: "A component stanza needs a valid 'to'.")))
        }
        if let followup = context.router.route(stanza.element) {
            stream.awaiting({ await followup() }, then: { _ in })
        }
    }

    private func handshake(_ element: XMLElement) {
        guard element.name == "handshake", element.namespace == NS.component,
              let domain, let secret = context.components.secrets[domain] else {
            return stream.fail(.notAuthorized, text: "Handshake first.")
        }
        let expected = Hex.encode(Crypto.hash(.sha1, Array((streamID + secret).utf8)))
        let offered = element.text.trimmingCharacters(in: .whitespaces).lowercased()
        guard Crypto.constantTimeEqual(Array(expected.utf8), Array(offered.utf8)) else {
            logger.warning("component handshake failed: wrong secret", metadata: ["component": "\(domain)", "address": "\(remoteAddress)"])
            context.metrics.authenticated(mechanism: "component-handshake", .failure)
            // Answered late, as a failed login is: secrets cannot be guessed at the speed of the wire.
            return stream.answerFailure(throttledBy: context.componentThrottle, account: domain, address: remoteAddress) { [stream] in
                stream.fail(.notAuthorized, text: "Wrong handshake.")
            }
        }
        let newLink = ComponentLink(domain: domain, stream: stream)
        guard context.components.register(newLink) else {
            return stream.fail(.conflict, text: "\(domain) is already connected.")
        }
        link = newLink
        stream.didAuthenticate()
        context.componentThrottle.succeeded(account: domain)
        negotiationTimer?.cancel()
        stream.send(XMLElement("handshake", namespace: NS.component))
        logger.info("component connected")
        context.router.cluster?.component(domain, connected: true)
        context.metrics.authenticated(mechanism: "component-handshake", .success)
    }

    func streamDidEnd(_ stream: XMPPStream) {
        stream.close()
    }

    func streamDidStartClosing(_ stream: XMPPStream) {
        unregister()
    }

    func streamDidDisconnect(_ stream: XMPPStream) {
        negotiationTimer?.cancel()
        unregister()
    }

    /// Stops routing to the component as soon as its stream starts closing.
    private func unregister() {
        guard let link else { return }
        self.link = nil
        context.components.unregister(link)
        context.router.cluster?.component(link.domain, connected: false)
        logger.info("component disconnected")
    }

    /// What reaches a closing component is answered as if it were not connected.
    func stream(_ stream: XMPPStream, couldNotDeliver element: XMLElement) {
        guard let stanza = Stanza(element.movingNamespace(from: NS.component, to: NS.client)) else { return }
        context.router.bounce(stanza, StanzaError(.serviceUnavailable, text: "The component is not connected."))
    }

    func streamDidIdle(_ stream: XMPPStream) {
        // Components are trusted peers that may stay quiet; only unauthenticated ones time out.
        if link == nil { stream.fail(.connectionTimeout) }
    }
}
