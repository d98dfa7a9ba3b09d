import Foundation
import NIOCore
import NIOPosix
import SalonAdmin
@testable import SalonServer
import Testing
import XMPPCore

/// Node-to-node links (issue #21) over loopback with real TLS: two nodes, each with a listener
/// and outbound links through `NodeLinks`; no PostgreSQL, the peers' addresses are given.
@Suite struct NodeLinkTests {
    /// Starts `a` and `b` listening, links each to the other, and waits until both links are up.
    private func linked(_ a: LinkNode, _ b: LinkNode) async throws {
        try await a.listen()
        try await b.listen()
        let peers = [a.id: a.address, b.id: b.address]
        await a.links.update(peers: peers)
        await b.links.update(peers: peers)
        try await a.recorder.wait(for: .up(b.id, .outbound))
        try await b.recorder.wait(for: .up(a.id, .outbound))
    }

    /// Runs `body` on two linked nodes (b with `bOptions`), then stops both, whatever it threw.
    private func withLinkedNodes(b bOptions: NodeLinkOptions = LinkNode.quickOptions,
                                 _ body: (LinkNode, LinkNode) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let a = LinkNode("node-a", group: group), b = LinkNode("node-b", options: bOptions, group: group)
        do {
            try await linked(a, b)
            try await body(a, b)
        } catch {
            await a.stop()
            await b.stop()
            try? await group.shutdownGracefully()
            throw error
        }
        await a.stop()
        await b.stop()
        try await group.shutdownGracefully()
    }

    /// A route frame from alice to bob carrying `text`.
    private func routed(_ text: String) throws -> NodeLinkFrame {
        .route(RoutedStanza(to: try JID("bob@example.com"), from: try JID("alice@example.com"), stanza: linkMessage(text)))
    }

    private func body(_ frame: NodeLinkFrame) -> String {
        switch frame {
        case .route(let route): route.stanza.child("body", namespace: NS.client)?.text ?? ""
        case .fanout(let fanout): fanout.stanza.child("body", namespace: NS.client)?.text ?? ""
        case .ended(let ended): ended.jid.description
        case .session(let state): state.jid.description
        case .resumption(let resumption): resumption.element.name
        case .component(let component): component.domain
        }
    }

    @Test func routeAndFanoutFramesArriveIntactAndInOrder() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let a = LinkNode("node-a", group: group), b = LinkNode("node-b", group: group)
        try await linked(a, b)
        #expect(a.links.peers == ["node-b"])
        try await b.recorder.wait(for: .up("node-a", .inbound))

        let route = RoutedStanza(to: try JID("bob@example.com/phone"), from: try JID("alice@example.com/desk"), stanza: linkMessage("hello"))
        let recipients: [UInt64] = [3, 1, 18_446_744_073_709_551_615]
        let fanout = FanoutStanza(recipients: recipients,
                                  stanza: linkMessage("to the room <&> ✓", to: "room@chat.example.com", from: "room@chat.example.com/alice"))
        try a.links.send(.route(route), to: "node-b")
        try a.links.send(.fanout(fanout), to: "node-b")
        for index in 0..<100 {
            try a.links.send(.route(RoutedStanza(to: route.to, from: route.from, stanza: linkMessage("\(index)"))), to: "node-b")
        }
        let frames = try await b.recorder.frames(102)
        #expect(frames.count == 102)
        guard case .route(let first) = frames[0], case .fanout(let second) = frames[1] else {
            Issue.record("expected a route then a fanout frame, got \(frames.prefix(2))")
            return
        }
        #expect(first.to == route.to && first.from == route.from)
        #expect(first.stanza.name == "message" && first.stanza[attribute: "type"] == "chat" && body(frames[0]) == "hello")
        #expect(second.recipients == recipients)
        #expect(second.stanza[attribute: "to"] == "room@chat.example.com" && body(frames[1]) == "to the room <&> ✓")
        #expect(frames.dropFirst(2).map(body) == (0..<100).map { "\($0)" })
        // The other way too, on b's own link to a.
        try b.links.send(.route(route), to: "node-a")
        #expect(try await a.recorder.frames(1).map(body) == ["hello"])
        // Held until node-b acknowledges it, which it does shortly.
        try await a.waitUntilAcknowledged(by: "node-b")
        let sent = a.links.statistics
        #expect(sent.map(\.node) == ["node-b"] && sent.first?.isUp == true && sent.first?.framesSent == 102)
        #expect((sent.first?.bytesSent ?? 0) > 102 * 100)

        await a.stop()
        try await b.recorder.wait(for: .down("node-a", .inbound))
        await b.stop()
        #expect(a.recorder.events.items.contains(.down("node-b", .outbound)))
        try await group.shutdownGracefully()
    }

    @Test func aWrongSecretIsRefusedAndNothingIsDelivered() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let a = LinkNode("node-a", secret: "w0ng-s3cret", group: group), b = LinkNode("node-b", group: group)
        try await b.listen()
        await a.links.update(peers: ["node-b": b.address])
        try a.links.send(.route(RoutedStanza(to: try JID("bob@example.com"), from: try JID("alice@example.com"),
                                             stanza: linkMessage("must not arrive"))), to: "node-b")
        // Two refused attempts: the dialler keeps trying, and keeps being refused.
        let refusals = try await b.log.wait(for: "cluster link refused: wrong proof of the cluster secret", times: 2)
        #expect(refusals.allSatisfy { $0.contains("claimed_node=node-a") && $0.contains("peer_address=127.0.0.1:") })
        let logged = (a.log.lines.items + b.log.lines.items).joined(separator: "\n")
        #expect(!logged.contains(LinkNode.sharedSecret) && !logged.contains("w0ng-s3cret"))
        #expect(b.recorder.events.items.isEmpty)
        #expect(!a.recorder.events.items.contains(.up("node-b", .outbound)))
        await a.stop()
        #expect(b.recorder.frames.isEmpty)
        await b.stop()
        try await group.shutdownGracefully()
    }

    @Test func anOversizedFrameClosesTheLinkWhichThenComesBack() async throws {
        var small = LinkNode.quickOptions
        small.maxFrameBytes = 4_096
        try await withLinkedNodes(b: small) { a, b in
            try a.links.send(try routed(String(repeating: "x", count: 10_000)), to: "node-b")
            try await b.log.wait(for: "cluster link closed: unreadable stream")
            try await a.recorder.wait(for: .down("node-b", .outbound))
            try a.links.send(try routed("after"), to: "node-b")
            #expect(try await b.recorder.frames(1).map(body) == ["after"])
            try await a.recorder.wait(for: .up("node-b", .outbound), times: 2)
        }
    }

    @Test func aMalformedFrameClosesTheLink() async throws {
        try await withLinkedNodes { a, b in
            // Not a jabber:client stanza inside the route: the receiver refuses the frame.
            try a.links.send(.route(RoutedStanza(to: try JID("bob@example.com"), from: try JID("alice@example.com"),
                                                 stanza: XMLElement("payload", namespace: "urn:example:other"))), to: "node-b")
            let closed = try await b.log.wait(for: "cluster link closed: malformed frame")
            #expect(closed.first?.contains("condition=bad-format") == true)
            try await a.recorder.wait(for: .down("node-b", .outbound))
            #expect(b.recorder.frames.isEmpty)
        }
    }

    @Test func theDiallerReconnectsAfterItsPeerRestarts() async throws {
        try await withLinkedNodes { a, b in
            try a.links.send(try routed("before"), to: "node-b")
            try await b.recorder.frames(1)
            // Acknowledged first: a restarted peer has no receipts, and gets again what it had not acknowledged.
            try await a.waitUntilAcknowledged(by: "node-b")
            await b.stopListening()
            try await a.recorder.wait(for: .down("node-b", .outbound))
            // Taken while the peer is away: held, then sent once the link is back.
            try a.links.send(try routed("while away"), to: "node-b")
            try await b.listen()
            try a.links.send(try routed("after"), to: "node-b")
            #expect(try await b.recorder.frames(3).map(body) == ["before", "while away", "after"])
            try await a.recorder.wait(for: .up("node-b", .outbound), times: 2)
        }
    }

    @Test func aBrokenConnectionLosesAndRepeatsNoFrame() async throws {
        try await withLinkedNodes { a, b in
            let total = 3_000
            for index in 0..<total {
                try a.links.send(try routed("\(index)"), to: "node-b")
                if index == total / 2 {
                    // The network between them fails with frames in flight and unacknowledged.
                    await b.dropAcceptedLinks()
                }
                if index % 100 == 0 { await Task.yield() }
            }
            try await a.recorder.wait(for: .up("node-b", .outbound), times: 2)
            let bodies = try await b.recorder.frames(total).map(body)
            try await a.waitUntilAcknowledged(by: "node-b")
            #expect(b.recorder.frames.count == total)
            #expect(bodies == (0..<total).map { "\($0)" })
        }
    }

    @Test func framesPastTheQueueBoundAreRefusedAndUnknownNodesToo() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var tiny = LinkNode.quickOptions
        tiny.maxQueuedBytes = 1_000
        let a = LinkNode("node-a", options: tiny, group: group)
        // A peer that is never there: frames wait, up to the bound.
        await a.links.update(peers: ["node-b": "127.0.0.1:1"])
        let route = RoutedStanza(to: try JID("bob@example.com"), from: try JID("alice@example.com"), stanza: linkMessage("waiting"))
        var taken = 0
        var refusal: NodeLinkRefusal?
        for _ in 0..<100 {
            do throws(NodeLinkRefusal) {
                try a.links.send(.route(route), to: "node-b")
                taken += 1
            } catch {
                refusal = error
                break
            }
        }
        #expect(refusal == .queueFull)
        #expect(taken > 0 && taken < 100)
        #expect((a.links.pendingBytes(for: "node-b") ?? 0) <= 1_000)
        try await a.log.wait(for: "cluster link refusing frames: its queue is full")
        #expect(throws: NodeLinkRefusal.unknownNode) { try a.links.send(.route(route), to: "node-c") }
        // A departed peer's link is stopped and what waited for it dropped.
        await a.links.update(peers: [:])
        #expect(a.links.peers.isEmpty)
        #expect(throws: NodeLinkRefusal.unknownNode) { try a.links.send(.route(route), to: "node-b") }
        try await a.log.wait(for: "cluster link dropped frames")
        await a.stop()
        try await group.shutdownGracefully()
    }
}
