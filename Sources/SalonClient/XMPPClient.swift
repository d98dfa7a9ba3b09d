import NIOCore
import NIOPosix
import SalonSecurity
import Synchronization
import XMPPCore

/// A small, real XMPP client over NIO: STARTTLS or direct TLS, SCRAM (with channel binding)
/// or PLAIN, resource binding. Tests and the benchmark drive servers with it.
public final class XMPPClient: Sendable {
    public enum Security: Sendable { case plain, startTLS, directTLS }

    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port: Int
        public var domain: String
        public var security: Security = .startTLS
        /// SASL mechanism to use; nil picks the strongest offered.
        public var mechanism: String?
        public var resource: String?
        public var timeout: Duration = .seconds(10)
        /// A TLS session from an earlier connection to offer for resumption.
        public var tlsSession: TLSSession?
        /// The local address to connect from (nil: the system's choice).
        public var localAddress: String?
        public init(port: Int, domain: String, security: Security = .startTLS) {
            self.port = port
            self.domain = domain
            self.security = security
        }
    }

    public let channel: Channel
    public let options: Options
    let inbox: Inbox
    private let handler: NIOLoopBound<ClientStreamHandler>
    private let boundJID = Mutex<JID?>(nil)
    private let counter = Atomic<Int>(0)
    /// The mechanisms the server offered in its last features.
    public let offeredMechanisms = Mutex<[String]>([])
    /// XEP-0198 counting (and answering `<r/>`) once the server enabled or resumed it.
    public let streamManagement: ClientStreamManagement

    public static let sharedGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    // One TLS context per kind, made once: building an SSL_CTX costs OpenSSL 3 about a
    // millisecond, more than the rest of a client's handshake.
    private static let startTLSContext = Result { () throws(TLSError) in try TLSContext.client(alpn: []) }
    private static let directTLSContext = Result { () throws(TLSError) in try TLSContext.client(alpn: ["xmpp-client"]) }

    /// The JID bound by `bindResource`.
    public var jid: JID { boundJID.withLock { $0! } }

    private init(channel: Channel, options: Options, inbox: Inbox, handler: NIOLoopBound<ClientStreamHandler>,
                 streamManagement: ClientStreamManagement) {
        self.streamManagement = streamManagement
        self.channel = channel
        self.options = options
        self.inbox = inbox
        self.handler = handler
    }

    /// Opens a TCP connection (and TLS, for direct TLS) without saying anything.
    public static func open(_ options: Options, group: EventLoopGroup = sharedGroup) async throws -> XMPPClient {
        let inbox = Inbox()
        let streamManagement = ClientStreamManagement()
        let tls = try (options.security == .directTLS ? directTLSContext : startTLSContext).get()
        var bootstrap = ClientBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
        if let localAddress = options.localAddress {
            bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localAddress, port: 0))
        }
        let channel = try await bootstrap.connect(host: options.host, port: options.port).get()
        let handler = try await channel.eventLoop.submit {
            var existing: OpenSSLHandler?
            if options.security == .directTLS {
                let tlsHandler = OpenSSLHandler(context: tls, role: .client(serverName: options.domain), offering: options.tlsSession)
                try channel.pipeline.syncOperations.addHandler(tlsHandler)
                existing = tlsHandler
            }
            let handler = ClientStreamHandler(inbox: inbox, tls: tls, serverName: options.domain, existingTLS: existing,
                                              tlsSession: options.tlsSession, streamManagement: streamManagement)
            try channel.pipeline.syncOperations.addHandler(handler)
            return NIOLoopBound(handler, eventLoop: channel.eventLoop)
        }.get()
        return XMPPClient(channel: channel, options: options, inbox: inbox, handler: handler, streamManagement: streamManagement)
    }

    /// Connects, negotiates TLS as asked, authenticates and binds a resource.
    public static func connect(_ options: Options, username: String, password: String,
                               group: EventLoopGroup = sharedGroup) async throws -> XMPPClient {
        let client = try await open(options, group: group)
        do {
            try await client.login(username: username, password: password)
            return client
        } catch {
            try? await client.channel.close()
            throw error
        }
    }

    public func login(username: String, password: String) async throws {
        let features = try await secureStream()
        try await authenticate(features: features, username: username, password: password)
        try await bindResource(features: try await openStream())
    }

    /// Opens the stream and, with STARTTLS, upgrades it; returns the features to authenticate (or register) with.
    public func secureStream() async throws -> XMLElement {
        let features = try await openStream()
        guard options.security == .startTLS else { return features }
        guard features.child("starttls", namespace: NS.tls) != nil else { throw ClientError("no STARTTLS offered") }
        send(XMLElement("starttls", namespace: NS.tls))
        _ = try await expect { $0.namespace == NS.tls && $0.name == "proceed" }
        return try await openStream()
    }

    /// Sends a stream header and returns the features that follow it.
    public func openStream() async throws -> XMLElement {
        sendRaw(XMLStreamHeader(contentNamespace: NS.client, attributes: ["to": options.domain, "version": "1.0"]).openingTag)
        _ = try await expectHeader()
        let features = try await expect { $0.namespace == NS.streams && $0.name == "features" }
        if let mechanisms = features.child("mechanisms", namespace: NS.sasl)?.children("mechanism", namespace: NS.sasl).map(\.text) {
            offeredMechanisms.withLock { $0 = mechanisms }
        }
        return features
    }

    public func authenticate(features: XMLElement, username: String, password: String) async throws {
        let offered = offeredMechanisms.withLock { $0 }
        let mechanism = options.mechanism ?? ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"].first(where: offered.contains) ?? "none"
        guard offered.contains(mechanism) else { throw ClientError("\(mechanism) not offered (offered: \(offered))") }
        if mechanism == "PLAIN" {
            let message = Array("\0\(username)\0\(password)".utf8)
            send(auth(mechanism, message))
            try await expectSuccess()
            return
        }
        let algorithm: HashAlgorithm = mechanism.hasPrefix("SCRAM-SHA-1") ? .sha1 : .sha256
        let plus = mechanism.hasSuffix("-PLUS")
        var binding: (type: String, data: [UInt8])?
        if plus {
            guard let data = try await channelBinding() else { throw ClientError("no tls-exporter data") }
            binding = ("tls-exporter", data)
        }
        var scram = SCRAMClient(algorithm: algorithm, username: username, password: password, channelBinding: binding,
                                serverSupportsPlus: offered.contains { $0.hasSuffix("-PLUS") })
        send(auth(mechanism, scram.clientFirstMessage()))
        let challenge = try await expect { $0.namespace == NS.sasl && ($0.name == "challenge" || $0.name == "failure") }
        guard challenge.name == "challenge", let serverFirst = Base64.decode(challenge.text) else {
            throw ClientError("authentication failed: \(challenge.elements.first?.name ?? "?")")
        }
        let final = try scram.receiveServerFirst(serverFirst)
        var response = XMLElement("response", namespace: NS.sasl)
        response.append(text: Base64.encode(final))
        send(response)
        let outcome = try await expectSuccess()
        guard let data = Base64.decode(outcome.text) else { throw ClientError("bad success data") }
        try scram.receiveServerFinal(data)
    }

    @discardableResult
    private func expectSuccess() async throws -> XMLElement {
        let outcome = try await expect { $0.namespace == NS.sasl && ($0.name == "success" || $0.name == "failure") }
        guard outcome.name == "success" else {
            throw ClientError("authentication failed: \(outcome.elements.first?.name ?? "?")")
        }
        return outcome
    }

    private func auth(_ mechanism: String, _ message: [UInt8]) -> XMLElement {
        var auth = XMLElement("auth", namespace: NS.sasl, attributes: ["mechanism": mechanism])
        auth.append(text: message.isEmpty ? "=" : Base64.encode(message))
        return auth
    }

    /// Whether the TLS handshake resumed the offered session.
    public func tlsResumed() async throws -> Bool {
        let handler = self.handler
        return try await channel.eventLoop.submit { handler.value.tlsHandler?.isSessionResumed ?? false }.get()
    }

    /// The TLS session to offer next time (after login the server's ticket has arrived).
    public func resumableTLSSession() async throws -> TLSSession? {
        let handler = self.handler
        return try await channel.eventLoop.submit { handler.value.tlsHandler?.resumableSession() }.get()
    }

    /// The tls-exporter bytes of this connection (TLS 1.3).
    public func channelBinding() async throws -> [UInt8]? {
        let handler = self.handler
        return try await channel.eventLoop.submit { handler.value.tlsHandler?.channelBinding(type: "tls-exporter") }.get()
    }

    public func bindResource(features: XMLElement) async throws {
        guard features.child("bind", namespace: NS.bind) != nil else { throw ClientError("no bind offered") }
        var bind = XMLElement("bind", namespace: NS.bind)
        if let resource = options.resource {
            var element = XMLElement("resource", namespace: NS.bind)
            element.append(text: resource)
            bind.append(element)
        }
        let result = try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"], children: [.element(bind)]))
        guard result[attribute: "type"] == "result",
              let text = result.child("bind", namespace: NS.bind)?.child("jid", namespace: NS.bind)?.text,
              let jid = try? JID(text) else {
            throw ClientError("bind failed: \(result.serialized())")
        }
        boundJID.withLock { $0 = jid }
    }

    // MARK: Sending and receiving

    public func send(_ element: XMLElement) {
        var bytes: [UInt8] = []
        element.serialize(into: &bytes, parentNamespace: NS.client)
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    public func sendRaw(_ text: String) {
        channel.writeAndFlush(channel.allocator.buffer(string: text), promise: nil)
    }

    public func sendRaw(_ bytes: [UInt8]) {
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    /// A fresh stanza id.
    public func nextID() -> String { "c\(counter.add(1, ordering: .relaxed).newValue)" }

    /// Sends an iq (an id is added when missing) and returns its result or error.
    public func request(_ iq: XMLElement) async throws -> XMLElement {
        var iq = iq
        let id = iq[attribute: "id"] ?? nextID()
        iq[attribute: "id"] = id
        send(iq)
        return try await expect { $0.name == "iq" && $0[attribute: "id"] == id && ($0[attribute: "type"] == "result" || $0[attribute: "type"] == "error") }
    }

    /// The first received element (now or later) matching `predicate`.
    public func expect(timeout: Duration? = nil, _ predicate: @escaping @Sendable (XMLElement) -> Bool) async throws -> XMLElement {
        let item = try await inbox.take(timeout: timeout ?? options.timeout) { item in
            if case .element(let element) = item { return predicate(element) }
            return false
        }
        return item.element!
    }

    /// The server's next stream header.
    public func expectHeader(timeout: Duration? = nil) async throws -> XMLStreamHeader {
        let item = try await inbox.take(timeout: timeout ?? options.timeout) { if case .header = $0 { true } else { false } }
        guard case .header(let header) = item else { throw ClientError("no header") }
        return header
    }

    /// Waits for the end of the connection; returns how it ended (e.g. "stream error conflict").
    public func expectEnd(timeout: Duration? = nil) async throws -> String {
        let item = try await inbox.take(timeout: timeout ?? options.timeout) { if case .end = $0 { true } else { false } }
        if case .end(let reason) = item { return reason }
        return ""
    }

    /// The stream error condition the server sent, waiting for it if needed.
    public func expectStreamError(timeout: Duration? = nil) async throws -> String {
        let error = try await expect(timeout: timeout) { $0.namespace == NS.streams && $0.name == "error" }
        return error.elements.first { $0.namespace == NS.streamErrors && $0.name != "text" }?.name ?? "unknown"
    }

    /// From the next read on, hands raw input to the handler `make` builds (on the channel's loop)
    /// instead of parsing it: benchmarks count bytes rather than build elements. `expect` and
    /// `unclaimed` see nothing after this.
    public func replaceParser(with make: @escaping @Sendable () -> any ChannelHandler) async throws {
        let handler = self.handler
        let channel = self.channel
        try await channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(make(), position: .after(handler.value))
            pipeline.removeHandler(handler.value, promise: nil)
        }.get()
    }

    /// Drops received elements nobody will wait for (a long-running client's room presence).
    public func discard(where matches: (XMLElement) -> Bool) {
        inbox.discard { $0.element.map(matches) ?? false }
    }

    /// Elements received and not yet claimed by `expect`.
    public var unclaimed: [XMLElement] { inbox.unclaimed.compactMap(\.element) }

    /// Ends the stream politely and closes.
    public func close() async {
        sendRaw(XMLStreamHeader.closingTag)
        _ = try? await expectEnd(timeout: .seconds(2))
        try? await channel.close()
    }
}
