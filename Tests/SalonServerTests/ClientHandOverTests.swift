import NIOCore
import SalonClient
import Synchronization
import Testing

@Suite("The client can hand its raw input over (benchmarks), over TLS and without")
struct ClientHandOverTests {
    /// Everything the new handler received, as text.
    final class Received: Sendable {
        let text = Mutex("")
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: Received

        init(_ received: Received) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            received.text.withLock { $0 += text }
        }
    }

    @Test("After replaceParser the next answer's bytes reach the new handler", arguments: [XMPPClient.Security.plain, .startTLS])
    func handOver(security: XMPPClient.Security) async throws {
        try await withServer(requireTLS: false) { server async throws in
            try await server.addUser("alice")
            let client = try await server.login("alice", security: security)
            let received = Received()
            try await client.replaceParser { Collector(received) }
            client.sendRaw("<iq type='get' id='handover-ping'><ping xmlns='urn:xmpp:ping'/></iq>")
            for _ in 0..<100 where !received.text.withLock({ $0.contains("handover-ping") }) {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(received.text.withLock { $0.contains("handover-ping") && $0.contains("result") })
            #expect(client.unclaimed.isEmpty)
            try await client.channel.close()
        }
    }
}
