import Foundation
import Logging
import NIOCore
import NIOPosix
import SalonAdmin
import SalonSecurity
@testable import SalonServer
import SalonTestSupport
import Synchronization
import Testing
import XMPPCore

/// A list that grows as things happen, which a test can wait on until it holds what it expects.
final class Awaited<Item: Sendable>: Sendable {
    private struct Waiter {
        let id: Int
        let ready: @Sendable ([Item]) -> Bool
        let continuation: CheckedContinuation<[Item], any Error>
    }

    private struct State {
        var items: [Item] = []
        var waiters: [Waiter] = []
        var nextID = 0
    }

    private let state = Mutex(State())

    var items: [Item] { state.withLock { $0.items } }

    func append(_ item: Item) {
        let woken = state.withLock { state -> [(CheckedContinuation<[Item], any Error>, [Item])] in
            state.items.append(item)
            let ready = state.waiters.filter { $0.ready(state.items) }
            state.waiters.removeAll { waiter in ready.contains { $0.id == waiter.id } }
            return ready.map { ($0.continuation, state.items) }
        }
        for (continuation, items) in woken { continuation.resume(returning: items) }
    }

    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns the items once `ready` holds for them; fails the wait (rather than hanging the
    /// suite) when it has not after a generous minute.
    @discardableResult
    func wait(for what: String, until ready: @escaping @Sendable ([Item]) -> Bool) async throws -> [Item] {
        try await withCheckedThrowingContinuation { continuation in
            let id = state.withLock { state -> Int? in
                if ready(state.items) { return nil }
                state.nextID += 1
                state.waiters.append(Waiter(id: state.nextID, ready: ready, continuation: continuation))
                return state.nextID
            }
            guard let id else { return continuation.resume(returning: items) }
            Task {
                try? await Task.sleep(for: .seconds(60))
                let waiter = state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                waiter?.continuation.resume(throwing: Timeout(description: "never saw: \(what)"))
            }
        }
    }
}

/// What a node's links told it.
enum LinkEvent: Sendable, Hashable {
    case up(String, NodeLinkPeer.Direction)
    case down(String, NodeLinkPeer.Direction)
    case frame(NodeLinkFrame)

    var frame: NodeLinkFrame? {
        if case .frame(let frame) = self { return frame }
        return nil
    }
}

final class LinkRecorder: NodeLinkDelegate {
    let events = Awaited<LinkEvent>()

    func link(_ peer: NodeLinkPeer, received route: RoutedStanza) { events.append(.frame(.route(route))) }
    func link(_ peer: NodeLinkPeer, received fanout: FanoutStanza) { events.append(.frame(.fanout(fanout))) }
    func link(_ peer: NodeLinkPeer, sessionEnded ended: EndedSession) { events.append(.frame(.ended(ended))) }
    func link(_ peer: NodeLinkPeer, session: SessionState) { events.append(.frame(.session(session))) }
    func link(_ peer: NodeLinkPeer, resumption: ResumptionFrame) { events.append(.frame(.resumption(resumption))) }
    func link(_ peer: NodeLinkPeer, component: ComponentPresence) { events.append(.frame(.component(component))) }
    func linkUp(_ peer: NodeLinkPeer) { events.append(.up(peer.node, peer.direction)) }
    func linkDown(_ peer: NodeLinkPeer) { events.append(.down(peer.node, peer.direction)) }

    var frames: [NodeLinkFrame] { events.items.compactMap(\.frame) }

    /// Waits until `count` frames arrived; returns them.
    @discardableResult
    func frames(_ count: Int) async throws -> [NodeLinkFrame] {
        try await events.wait(for: "\(count) frames") { $0.compactMap(\.frame).count >= count }.compactMap(\.frame)
    }

    func wait(for event: LinkEvent, times: Int = 1) async throws {
        try await events.wait(for: "\(event) ×\(times)") { $0.filter { $0 == event }.count >= times }
    }
}

/// Log lines ("message key=value …") that a test can wait for.
final class AwaitedLog: Sendable {
    let lines = Awaited<String>()

    var logger: Logger {
        LogCapture.logger(label: "node-link-test", level: .info) { [lines] in lines.append($0) }
    }

    @discardableResult
    func wait(for message: String, times: Int = 1) async throws -> [String] {
        try await lines.wait(for: message) { $0.filter { $0.hasPrefix(message + " |") }.count >= times }
            .filter { $0.hasPrefix(message + " |") }
    }
}

/// A self-signed certificate and the TLS contexts node links use, made once per test run.
enum NodeLinkTLS {
    static let contexts: (server: TLSContext, client: TLSContext) = {
        let directory = URL(fileURLWithPath: try! ScratchDirectory.make("salon-node-links"))
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try! SelfSignedCertificate.generate(domain: "node.cluster.test", certificatePath: certificate, privateKeyPath: key)
        let server = try! TLSContext.server(certificates: [TLSCertificate(domain: "node.cluster.test", certificateChainPath: certificate,
                                                                          privateKeyPath: key)], alpn: [])
        return (server, try! TLSContext.client(alpn: []))
    }()
}

/// One node's link endpoints on loopback: a listener on a free port and its outbound links.
final class LinkNode: Sendable {
    let id: String
    let recorder = LinkRecorder()
    let log = AwaitedLog()
    let links: NodeLinks
    let secret: ClusterSecret
    let options: NodeLinkOptions
    let group: any EventLoopGroup
    private let listening = Mutex<NodeLinkListener?>(nil)
    private let boundPort = Mutex(0)

    init(_ id: String, secret: String = LinkNode.sharedSecret, options: NodeLinkOptions = LinkNode.quickOptions,
         group: any EventLoopGroup) {
        self.id = id
        self.secret = ClusterSecret(Array(secret.utf8))
        self.options = options
        self.group = group
        links = NodeLinks(local: id, secret: self.secret, tls: NodeLinkTLS.contexts.client, options: options,
                          delegate: recorder, group: group, logger: log.logger)
    }

    static let sharedSecret = "s3cret-shared-by-the-test-nodes"

    /// Short pauses between dials, so a test sees a reconnection soon.
    static var quickOptions: NodeLinkOptions {
        var options = NodeLinkOptions()
        options.initialBackoff = .milliseconds(10)
        options.maxBackoff = .milliseconds(200)
        return options
    }

    /// Listens on a free port the first time, on the same port after a restart.
    func listen() async throws {
        // Below the ephemeral range: a port of that range may be taken meanwhile by an outgoing
        // connection (the dialler's own, connecting to itself) and the restart would fail.
        if boundPort.withLock({ $0 }) == 0 { boundPort.withLock { $0 = freeLoopbackPort() } }
        let listener = try await NodeLinkListener.bind(
            host: "127.0.0.1", port: boundPort.withLock { $0 }, node: id, secret: secret, tls: NodeLinkTLS.contexts.server,
            options: options, delegate: recorder, group: group, logger: log.logger)
        listening.withLock { $0 = listener }
    }

    var address: String { "127.0.0.1:\(boundPort.withLock { $0 })" }

    /// Closes the links this node accepted, listening on: a network failure between nodes.
    func dropAcceptedLinks() async {
        await listening.withLock { $0 }?.dropLinks()
    }

    /// Waits until everything this node's link to `peer` wrote was acknowledged.
    func waitUntilAcknowledged(by peer: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while links.pendingBytes(for: peer) != 0 {
            guard ContinuousClock.now < deadline else { throw Awaited<Int>.Timeout(description: "\(peer) never acknowledged") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func stopListening() async {
        let listener = listening.withLock { listener in defer { listener = nil }; return listener }
        await listener?.close()
    }

    func stop() async {
        await links.stop()
        await stopListening()
    }
}

/// A message stanza in jabber:client with `body`.
func linkMessage(_ body: String, to: String = "bob@example.com/phone", from: String = "alice@example.com/desk") -> XMLElement {
    XMLElement("message", namespace: NS.client, attributes: ["to": to, "from": from, "type": "chat"],
               children: [.element(XMLElement("body", namespace: NS.client, children: [.text(body)]))])
}
