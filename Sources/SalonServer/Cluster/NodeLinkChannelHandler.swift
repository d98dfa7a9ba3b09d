import Logging
import SalonAdmin
import NIOCore
import SalonSecurity
import SalonStore
import XMPPCore

/// What one link connection tells the listener or dialer that made it.
struct NodeLinkEvents: Sendable {
    /// Both ends proved themselves; frames may be written on the channel from now on. For a
    /// dialler, how many of its link's frames the listener had received.
    var up: @Sendable (NodeLinkPeer, any Channel, UInt64) -> Void
    var frame: @Sendable (NodeLinkPeer, NodeLinkFrame) -> Void
    /// For a dialler: the listener has received this many of the link's frames.
    var acknowledged: @Sendable (UInt64) -> Void = { _ in }
    /// The connection closed; `peer` is nil when it never came up.
    var down: @Sendable (NodeLinkPeer?) -> Void
}

/// One node link connection after TLS, for either end: each side opens a stream in the cluster
/// namespace with its node id and a fresh nonce, then proves the cluster secret (NodeLinkProof);
/// only then are frames read and written. The dialler's header names its link (`link`, an epoch)
/// and how many of its frames were acknowledged (`acked`); once proved, the listener says how
/// many it has (`<received h/>`), which the dialler resumes after, and acknowledges what it
/// takes (`<a h/>`) shortly after. Anything out of turn, malformed or too large ends the stream
/// with a stream error. Lives on its channel's event loop.
final class NodeLinkChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Role {
        /// Dialled `node` at `address`: the other end must be that node. `link` names this run
        /// of the dialler's link; `acked` frames of it were acknowledged.
        case dialer(node: String, address: String, link: String, acked: UInt64)
        case listener(NodeLinkReceipts)
    }

    /// How soon a listener acknowledges what it took: acknowledgements of a burst go together.
    static let acknowledgementDelay = TimeAmount.milliseconds(20)

    private enum Phase { case tls, header, proof, receipt, up, closed }

    private let role: Role
    private let local: String
    private let secret: ClusterSecret
    private let tls: OpenSSLHandler
    private let events: NodeLinkEvents
    private let options: NodeLinkOptions
    private var logger: Logger
    private let parser: XMLStreamParser
    private let nonce = Crypto.nonceBytes(NodeLinkProof.nonceBytes)
    private var phase = Phase.tls
    private var peerNonce: [UInt8] = []
    private var claimed: String?
    private var peer: NodeLinkPeer?
    private var remote = "unknown"
    private var deadline: Scheduled<Void>?
    private var parsed: [XMLStreamEvent] = []
    /// For a listener: the dialler's link epoch and acknowledged count, from its header.
    private var dialerLink: (epoch: String, acked: UInt64)?
    /// For a listener: this connection's number with the receipts, and the count last taken.
    private var connection: UInt64 = 0
    private var received: UInt64 = 0
    private var acknowledging = false

    init(role: Role, local: String, secret: ClusterSecret, tls: OpenSSLHandler, options: NodeLinkOptions,
         events: NodeLinkEvents, logger: Logger) {
        self.role = role
        self.local = local
        self.secret = secret
        self.tls = tls
        self.options = options
        self.events = events
        self.logger = logger
        self.parser = XMLStreamParser(limits: XMLStreamLimits(maxStanzaBytes: options.maxFrameBytes))
    }

    private var side: NodeLinkProof.Side {
        if case .dialer = role { return .dialer }
        return .listener
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if case .dialer(_, let address, _, _) = role {
            remote = address
        } else if let address = context.channel.remoteAddress {
            remote = "\(address.ipAddress ?? "unknown"):\(address.port ?? 0)"
        }
        logger[metadataKey: "peer_address"] = "\(remote)"
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: options.authenticationTimeout.timeAmount) { [self] in
            guard phase != .up, phase != .closed else { return }
            logger.warning("cluster link closed: not authenticated in time", metadata: ["claimed_node": "\(claimed ?? "")"])
            fail(context, .connectionTimeout, "Authenticate in time.")
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is TLSHandshakeCompleted, phase == .tls else {
            return context.fireUserInboundEventTriggered(event)
        }
        phase = .header
        var attributes = ["from": local, "nonce": Hex.encode(nonce), "version": "1.0"]
        if case .dialer(_, _, let link, let acked) = role {
            attributes["link"] = link
            attributes["acked"] = String(acked)
        }
        let header = XMLStreamHeader(contentNamespace: NodeLinkNamespace.cluster, attributes: attributes)
        var bytes: [UInt8] = []
        header.serializeOpeningTag(into: &bytes)
        write(context, bytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard phase != .closed else { return }
        let buffer = unwrapInboundIn(data)
        parsed.removeAll(keepingCapacity: true)
        var failure: XMLStreamError?
        buffer.withUnsafeReadableBytes { raw in
            do throws(XMLStreamError) {
                try parser.feed(raw, into: &parsed)
            } catch {
                failure = error
            }
        }
        for event in parsed where phase != .closed {
            handle(event, context)
        }
        if let failure, phase != .closed {
            // The frame that could not be read counts as taken: sent again, it would close every
            // connection after this one too.
            if phase == .up { takeFrame() }
            logger.warning("cluster link closed: unreadable stream", metadata: [
                "claimed_node": "\(claimed ?? "")", "condition": "\(failure.condition.rawValue)", "error": "\(failure.text)",
            ])
            fail(context, failure.condition, failure.text)
        }
    }

    private func handle(_ event: XMLStreamEvent, _ context: ChannelHandlerContext) {
        switch (event, phase) {
        case (.streamOpened(let header), .header):
            opened(header, context)
        case (.stanza(let element), .proof):
            proved(element, context)
        case (.stanza(let element), .receipt):
            guard element.name == "received", element.namespace == NodeLinkNamespace.cluster,
                  let count = element[attribute: "h"].flatMap({ UInt64($0) }), let peer else {
                logger.warning("cluster link closed: no receipt", metadata: ["claimed_node": "\(claimed ?? "")"])
                return fail(context, .badFormat, "Say how many frames of this link arrived.")
            }
            cameUp(peer, received: count, context)
        case (.stanza(let element), .up):
            guard let peer else { return }
            if case .dialer = role {
                guard element.name == "a", element.namespace == NodeLinkNamespace.cluster,
                      let count = element[attribute: "h"].flatMap({ UInt64($0) }) else {
                    logger.warning("cluster link closed: not an acknowledgement", metadata: ["node": "\(peer.node)"])
                    return fail(context, .unsupportedStanzaType, "A dialler is sent acknowledgements only.")
                }
                return events.acknowledged(count)
            }
            // A newer connection of this peer took over: the frame is sent again there.
            guard takeFrame() else { return }
            acknowledgeSoon(context)
            do throws(XMLStreamError) {
                events.frame(peer, try NodeLinkFrame(element))
            } catch {
                logger.warning("cluster link closed: malformed frame", metadata: [
                    "node": "\(peer.node)", "condition": "\(error.condition.rawValue)", "error": "\(error.text)",
                ])
                fail(context, error.condition, error.text)
            }
        case (.streamClosed, _):
            phase = .closed
            write(context, Array(XMLStreamHeader.closingTag.utf8)).whenComplete { [channel = context.channel] _ in
                channel.close(promise: nil)
            }
        default:
            logger.warning("cluster link closed: out of turn", metadata: ["claimed_node": "\(claimed ?? "")"])
            fail(context, .notAuthorized, "Open the stream and prove the cluster secret first.")
        }
    }

    /// The peer's header: its node id and nonce. Answered with this side's proof.
    private func opened(_ header: XMLStreamHeader, _ context: ChannelHandlerContext) {
        guard header.contentNamespace == NodeLinkNamespace.cluster else {
            logger.warning("cluster link refused: not a cluster stream", metadata: ["namespace": "\(header.contentNamespace)"])
            return fail(context, .invalidNamespace, "Node links speak \(NodeLinkNamespace.cluster).")
        }
        guard let from = header.attributes["from"], ClusterNames.isNodeID(from) else {
            logger.warning("cluster link refused: no valid node id")
            return fail(context, .invalidFrom, "A node link's header names its node.")
        }
        claimed = from
        if case .listener = role {
            guard let link = header.attributes["link"], !link.isEmpty, link.utf8.count <= 64,
                  let acked = header.attributes["acked"].flatMap({ UInt64($0) }) else {
                logger.warning("cluster link refused: the dialler does not name its link", metadata: ["claimed_node": "\(from)"])
                return fail(context, .badFormat, "A dialler's header names its link and how many frames were acknowledged.")
            }
            dialerLink = (link, acked)
        }
        if case .dialer(let expected, _, _, _) = role, from != expected {
            logger.warning("cluster link refused: another node answered", metadata: ["claimed_node": "\(from)", "expected_node": "\(expected)"])
            return fail(context, .invalidFrom, "This link was dialled for \(expected).")
        }
        guard let nonce = header.attributes["nonce"].flatMap(Self.hexDecode), nonce.count == NodeLinkProof.nonceBytes else {
            logger.warning("cluster link refused: no valid nonce", metadata: ["claimed_node": "\(from)"])
            return fail(context, .badFormat, "A node link's header carries a nonce.")
        }
        peerNonce = nonce
        guard let binding = channelBinding else {
            logger.warning("cluster link refused: no TLS channel binding", metadata: ["claimed_node": "\(from)"])
            return fail(context, .internalServerError, "No TLS channel binding.")
        }
        let proof = NodeLinkProof.make(secret: secret, side: side, node: local, dialerNonce: dialerNonce,
                                       listenerNonce: listenerNonce, binding: binding)
        phase = .proof
        send(XMLElement("proof", namespace: NodeLinkNamespace.cluster, children: [.text(Hex.encode(proof))]), context)
    }

    /// The peer's proof: right, and the link is up; wrong, and it is closed.
    private func proved(_ element: XMLElement, _ context: ChannelHandlerContext) {
        let peerSide: NodeLinkProof.Side = side == .dialer ? .listener : .dialer
        guard let claimed, element.name == "proof", element.namespace == NodeLinkNamespace.cluster,
              let offered = Self.hexDecode(element.text), let binding = channelBinding,
              NodeLinkProof.verify(offered, secret: secret, side: peerSide, node: claimed, dialerNonce: dialerNonce,
                                   listenerNonce: listenerNonce, binding: binding) else {
            logger.warning("cluster link refused: wrong proof of the cluster secret", metadata: ["claimed_node": "\(claimed ?? "")"])
            return fail(context, .notAuthorized, "Wrong proof of the cluster secret.")
        }
        let direction: NodeLinkPeer.Direction = side == .dialer ? .outbound : .inbound
        let peer = NodeLinkPeer(node: claimed, address: remote, direction: direction)
        self.peer = peer
        guard case .listener(let receipts) = role, let dialerLink else {
            // A dialler waits for the listener's receipt.
            phase = .receipt
            return
        }
        let (count, connection) = receipts.connected(node: claimed, epoch: dialerLink.epoch, acked: dialerLink.acked)
        self.connection = connection
        received = count
        send(XMLElement("received", namespace: NodeLinkNamespace.cluster, attributes: ["h": String(count)]), context)
        cameUp(peer, received: count, context)
    }

    /// Frames flow from now on; the peer had `received` of the dialler's link.
    private func cameUp(_ peer: NodeLinkPeer, received: UInt64, _ context: ChannelHandlerContext) {
        phase = .up
        deadline?.cancel()
        logger.info("cluster link up", metadata: ["node": "\(peer.node)", "direction": "\(peer.direction.rawValue)", "received": "\(received)"])
        events.up(peer, context.channel, received)
    }

    /// For a listener: counts a frame of its peer's link as taken; false when a newer connection
    /// of that peer took over (the frame is not to be delivered).
    @discardableResult
    private func takeFrame() -> Bool {
        guard case .listener(let receipts) = role, let peer, let count = receipts.received(from: peer.node, on: connection) else {
            return false
        }
        received = count
        return true
    }

    /// Acknowledges what this listener took, a moment from now (one `<a/>` for a burst).
    private func acknowledgeSoon(_ context: ChannelHandlerContext) {
        guard !acknowledging else { return }
        acknowledging = true
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.acknowledgementDelay) { [self] in
            acknowledging = false
            guard phase == .up else { return }
            send(XMLElement("a", namespace: NodeLinkNamespace.cluster, attributes: ["h": String(received)]), context)
        }
    }

    /// A dial that never connected is torn down without becoming inactive: its deadline goes
    /// with it, or it would report a link that never was as not authenticated.
    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        deadline?.cancel()
        if let peer {
            logger.info("cluster link down", metadata: ["node": "\(peer.node)", "direction": "\(peer.direction.rawValue)"])
        }
        events.down(peer)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("cluster link error", metadata: ["error": "\(error)"])
        phase = .closed
        context.close(promise: nil)
    }

    private var dialerNonce: [UInt8] { side == .dialer ? nonce : peerNonce }
    private var listenerNonce: [UInt8] { side == .listener ? nonce : peerNonce }

    /// Both ends derive the same: RFC 9266's exporter under TLS 1.3, tls-unique under 1.2.
    private var channelBinding: [UInt8]? {
        tls.channelBinding(type: "tls-exporter") ?? tls.channelBinding(type: "tls-unique")
    }

    /// Ends the stream with `condition` (once the header was sent; before, just closes).
    private func fail(_ context: ChannelHandlerContext, _ condition: StreamErrorCondition, _ text: String) {
        guard phase != .closed else { return }
        let opened = phase != .tls
        phase = .closed
        deadline?.cancel()
        let channel = context.channel
        guard opened else { return channel.close(promise: nil) }
        var bytes: [UInt8] = []
        XMLStreamError(condition, text: text).element.serialize(into: &bytes, parentNamespace: NodeLinkNamespace.cluster)
        bytes.append(contentsOf: XMLStreamHeader.closingTag.utf8)
        write(context, bytes).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Writes one element of the link's own (a proof, a receipt, an acknowledgement).
    private func send(_ element: XMLElement, _ context: ChannelHandlerContext) {
        var bytes: [UInt8] = []
        element.serialize(into: &bytes, parentNamespace: NodeLinkNamespace.cluster)
        write(context, bytes)
    }

    @discardableResult
    private func write(_ context: ChannelHandlerContext, _ bytes: [UInt8]) -> EventLoopFuture<Void> {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
    }

    static func hexDecode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
