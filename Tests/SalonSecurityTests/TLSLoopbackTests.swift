import NIOCore
import NIOPosix
import Testing
@_spi(Testing) import SalonSecurity

/// Real TCP connections on 127.0.0.1 between an OpenSSLHandler server and client.
@Suite(.timeLimit(.minutes(1))) struct TLSLoopbackTests {
    @Test func handshakeEchoALPNAndChannelBinding() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let serverContext = try TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: ["xmpp-client"])
        let server = try await TestServer.start(context: serverContext, behaviour: .init(echo: true))
        var serverLog = EventLog(server.events)

        let clientContext = try TLSContext.client(alpn: ["xmpp-client"])
        let (client, clientLog) = try await connectClient(port: server.port, context: clientContext)
        var log = clientLog

        try await client.send("hello over TLS".bytes)
        #expect(await log.data(count: 14) == "hello over TLS".bytes)

        let clientHandshake = try #require(await log.handshake())
        let serverHandshake = try #require(await serverLog.handshake())
        #expect(clientHandshake.details.alpn == "xmpp-client")
        #expect(serverHandshake.details.alpn == "xmpp-client")
        #expect(clientHandshake.details.version == "TLSv1.3")
        #expect(serverHandshake.details.serverName == "example.test")
        #expect(clientHandshake.peerNames == ["example.test", "*.example.test"])

        // RFC 9266: both ends derive the same 32 bytes; tls-unique does not exist in TLS 1.3.
        let exporter = try #require(clientHandshake.exporter)
        #expect(exporter.count == 32)
        #expect(serverHandshake.exporter == exporter)
        #expect(clientHandshake.unique == nil)

        let state = try await client.eventLoop.submit {
            let clientTLS = try client.pipeline.syncOperations.handler(type: OpenSSLHandler.self)
            return (clientTLS.isHandshakeComplete, clientTLS.negotiatedALPN, clientTLS.channelBinding(type: "tls-exporter"),
             clientTLS.channelBinding(type: "tls-server-end-point"),
             [clientTLS.hasChannelBinding(type: "tls-exporter"), clientTLS.hasChannelBinding(type: "tls-unique"),
              clientTLS.hasChannelBinding(type: "tls-server-end-point")])
        }.get()
        #expect(state.0)
        #expect(state.1 == "xmpp-client")
        #expect(state.2 == exporter)
        #expect(state.3 == nil)
        #expect(state.4 == [true, false, false])

        try await client.close()
        #expect(await serverLog.sawCloseNotify())
        #expect(await serverLog.inactive())
        #expect(serverLog.errors.isEmpty)
        try await server.stop()
    }

    @Test func megabyteEchoesBothWays() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let serverContext = try TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: [])
        let server = try await TestServer.start(context: serverContext, behaviour: .init(echo: true))
        let (client, clientLog) = try await connectClient(port: server.port, context: TLSContext.client(alpn: []))
        var log = clientLog

        let payload = Crypto.randomBytes(1 << 20)
        try await client.send(payload)
        // Many small writes in one flush take the coalescing path.
        let smallWrites = (0..<500).map { index in Array("<message id='\(index)'/>".utf8) }
        try await client.eventLoop.submit {
            for write in smallWrites { client.write(ByteBuffer(bytes: write), promise: nil) }
            client.flush()
        }.get()
        let expected = payload + smallWrites.flatMap { $0 }
        let received = await log.data(count: expected.count)
        #expect(received.count == expected.count)
        #expect(received == expected)
        try await client.close()
        try await server.stop()
    }

    @Test func alpnWithoutOverlapContinuesWithoutALPN() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let serverContext = try TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: ["xmpp-client"])
        let server = try await TestServer.start(context: serverContext, behaviour: .init(echo: true))
        var serverLog = EventLog(server.events)
        let (client, clientLog) = try await connectClient(port: server.port, context: TLSContext.client(alpn: ["h2", "http/1.1"]))
        var log = clientLog
        #expect(try #require(await log.handshake()).details.alpn == nil)
        #expect(try #require(await serverLog.handshake()).details.alpn == nil)
        try await client.close()
        try await server.stop()
    }

    @Test func serverPrefersItsOwnALPNOrder() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let serverContext = try TLSContext.server(certificates: [fixtures.certificate(for: "example.test")],
                                                  alpn: ["xmpp-client", "h2"])
        let server = try await TestServer.start(context: serverContext)
        let (client, clientLog) = try await connectClient(port: server.port, context: TLSContext.client(alpn: ["h2", "xmpp-client"]))
        var log = clientLog
        #expect(try #require(await log.handshake()).details.alpn == "xmpp-client")
        try await client.close()
        try await server.stop()
    }

    @Test func sniChoosesTheCertificate() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let a = try fixtures.certificate(for: "a.test")
        let b = try fixtures.certificate(for: "b.test")
        let serverContext = try TLSContext.server(certificates: [a, b], alpn: ["xmpp-client"])
        let server = try await TestServer.start(context: serverContext)

        let cases: [(String?, [String])] = [
            ("b.test", ["b.test", "*.b.test"]),
            ("CHAT.B.test.", ["b.test", "*.b.test"]),
            ("a.test", ["a.test", "*.a.test"]),
            ("unknown.test", ["a.test", "*.a.test"]),
            ("notb.test", ["a.test", "*.a.test"]),
            (nil, ["a.test", "*.a.test"]),
        ]
        for (name, expected) in cases {
            let (client, clientLog) = try await connectClient(port: server.port, context: TLSContext.client(alpn: ["xmpp-client"]),
                                                              serverName: name)
            var log = clientLog
            let handshake = try #require(await log.handshake())
            #expect(handshake.peerNames == expected, "server name \(name ?? "none")")
            // ALPN still works on the switched context.
            #expect(handshake.details.alpn == "xmpp-client")
            try await client.close()
        }
        try await server.stop()
    }

    @Test func verifyingClientsCheckChainAndName() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let a = try fixtures.certificate(for: "a.test")
        let b = try fixtures.certificate(for: "b.test")
        let server = try await TestServer.start(context: TLSContext.server(certificates: [a, b], alpn: []))

        let trustsB = try TLSContext.client(alpn: [], verifyPeer: true, trustedCertificatePath: b.certificateChainPath)
        let (good, goodLog) = try await connectClient(port: server.port, context: trustsB, serverName: "chat.b.test")
        var log = goodLog
        #expect(await log.handshake() != nil)
        try await good.close()

        // Trusted certificate, wrong name: SNI picks A, which was never trusted.
        let (_, badLog) = try await connectClient(port: server.port, context: trustsB, serverName: "a.test")
        var bad = badLog
        let error = try #require(await bad.error())
        #expect(error.contains("certificate verify failed"))
        #expect(await bad.inactive())
        #expect(await bad.handshake() == nil)
        try await server.stop()
    }

    @Test func tls12UsesTLSUnique() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let server = try await TestServer.start(context: TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: []))
        var serverLog = EventLog(server.events)
        let clientContext = try TLSContext.client(alpn: [])
        clientContext.limitToTLS12ForTesting()
        let (client, clientLog) = try await connectClient(port: server.port, context: clientContext)
        var log = clientLog
        let clientHandshake = try #require(await log.handshake())
        let serverHandshake = try #require(await serverLog.handshake())
        #expect(clientHandshake.details.version == "TLSv1.2")
        #expect(clientHandshake.exporter == nil)
        let unique = try #require(clientHandshake.unique)
        #expect(unique.count == 12)
        #expect(serverHandshake.unique == unique)
        let offers = try await client.eventLoop.submit {
            let clientTLS = try client.pipeline.syncOperations.handler(type: OpenSSLHandler.self)
            return [clientTLS.hasChannelBinding(type: "tls-exporter"), clientTLS.hasChannelBinding(type: "tls-unique")]
        }.get()
        #expect(offers == [false, true])
        try await client.close()
        try await server.stop()
    }

    @Test func serverCloseSendsCloseNotify() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let server = try await TestServer.start(context: TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: []),
                                                behaviour: .init(greeting: "bye".bytes, closeAfterBytes: 4))
        var serverLog = EventLog(server.events)
        let (client, clientLog) = try await connectClient(port: server.port, context: TLSContext.client(alpn: []))
        var log = clientLog
        #expect(await log.data(count: 3) == "bye".bytes)
        try await client.send("done".bytes)
        // The server closes: the client sees its close_notify, answers, and closes cleanly.
        #expect(await log.sawCloseNotify())
        #expect(await log.inactive())
        #expect(log.errors.isEmpty)
        #expect(await serverLog.inactive())
        #expect(serverLog.errors.isEmpty)
        try await client.closeFuture.get()
        try await server.stop()
    }

    @Test func garbageClosesTheServerConnection() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let server = try await TestServer.start(context: TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: []))
        var serverLog = EventLog(server.events)
        let (plain, plainLog) = try await connectClient(port: server.port, context: nil)
        var log = plainLog
        try await plain.send(Array("<?xml version='1.0'?><stream:stream to='example.test'>\r\n\r\n".utf8) + Crypto.randomBytes(300))
        let error = try #require(await serverLog.error())
        #expect(error.contains("handshake"))
        #expect(await serverLog.inactive())
        #expect(await log.inactive())
        // The server is still fine for real clients.
        let (client, clientLog) = try await connectClient(port: server.port, context: TLSContext.client(alpn: []))
        var good = clientLog
        #expect(await good.handshake() != nil)
        try await client.close()
        try await server.stop()
    }

    @Test func writesBeforeHandshakeCompletionAreDelivered() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let server = try await TestServer.start(context: TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: []),
                                                behaviour: .init(greeting: "server-early".bytes))
        var serverLog = EventLog(server.events)
        let (client, clientLog) = try await connectClient(port: server.port, context: TLSContext.client(alpn: []),
                                                          behaviour: .init(greeting: "client-early".bytes))
        var log = clientLog
        #expect(await log.data(count: 12) == "server-early".bytes)
        #expect(await serverLog.data(count: 12) == "client-early".bytes)
        try await client.close()
        try await server.stop()
    }

    @Test func worksWithAutoReadOff() async throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let server = try await TestServer.start(context: TLSContext.server(certificates: [fixtures.certificate(for: "example.test")], alpn: []),
                                                behaviour: .init(echo: true))
        let (client, clientLog) = try await connectClient(port: server.port, context: TLSContext.client(alpn: []), autoRead: false)
        var log = clientLog
        // Nobody calls read(): the handler asks for its own handshake bytes.
        #expect(await log.handshake() != nil)
        try await client.send("ping".bytes)
        // One read() from above is answered with plaintext, however many TLS reads that takes.
        client.read()
        #expect(await log.data(count: 4) == "ping".bytes)
        try await client.close()
        try await server.stop()
    }
}
