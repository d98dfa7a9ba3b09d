import NIOCore
import NIOPosix
import SalonSecurity
import Synchronization

/// A raw HTTP/1.1 exchange over TLS (Salon's OpenSSL layer), for the tests and salon-bench: it
/// sends exactly the bytes given (hostile requests too) and reads the answer until the server
/// closes, so requests must say `Connection: close`.
public enum HTTPExchange {
    private static let tls = Result { () throws(TLSError) in try TLSContext.client(alpn: ["http/1.1"]) }

    /// Sends `bytes` to `host:port` (TLS with `serverName` as SNI), then collects everything until
    /// the server closes; with `abandon`, closes right after sending (a client that goes away).
    /// `beforeTLS` runs once connected, before the ClientHello: a client slow to start TLS.
    public static func send(host: String = "127.0.0.1", port: Int, serverName: String, _ bytes: [UInt8],
                            abandon: Bool = false, beforeTLS: (@Sendable () async throws -> Void)? = nil,
                            group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> [UInt8] {
        let context = try tls.get()
        let collector = Collector()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: host, port: port).get()
        if let beforeTLS {
            do { try await beforeTLS() } catch { try? await channel.close(); throw error }
        }
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(OpenSSLHandler(context: context, role: .client(serverName: serverName)),
                                                           position: .first)
        }.get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        if abandon {
            try await channel.close()
            return []
        }
        // A server that never closes would otherwise hang the caller: past `waitForClose` the
        // exchange fails instead.
        let gaveUp = Atomic<Bool>(false)
        let limit = TimeoutScale.scaled(waitForClose)
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(limit.components.seconds) * 1_000_000_000)) {
            gaveUp.store(true, ordering: .relaxed)
            channel.close(promise: nil)
        }
        try await channel.closeFuture.get()
        timer.cancel()
        if gaveUp.load(ordering: .relaxed) { throw ClientError("the server kept the connection open for \(limit)") }
        return collector.bytes.withLock { $0 }
    }

    /// How long `send` waits for the server to close once everything is sent.
    public static let waitForClose: Duration = .seconds(120)

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes = Mutex<[UInt8]>([])

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLock { $0 += buffer.readableBytesView }
        }
    }
}

/// A parsed HTTP/1.1 answer.
public struct HTTPAnswer: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Parses the first answer in `bytes` (status 0 when there is none).
    public init(_ bytes: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else {
            self.init(status: 0, headers: [], body: bytes)
            return
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        var body = Array(bytes[(end + 4)...])
        if let length = headers.first(where: { $0.0.lowercased() == "content-length" }).flatMap({ Int($0.1) }), body.count > length {
            body = Array(body.prefix(length))
        }
        self.init(status: status, headers: headers, body: body)
    }

    init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
