import Foundation
import NIOCore
import NIOPosix
import SalonSecurity
import Synchronization

/// A raw HTTP/1.1 client over TLS (Salon's OpenSSL layer) for the file tests: it sends exactly
/// the bytes a test writes, so malformed and hostile requests can be sent too, and reads the
/// answer until the server closes (every request says `Connection: close`).
struct HTTPTestResponse {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

enum HTTPTestClient {
    private static let tls = Result { () throws(TLSError) in try TLSContext.client(alpn: ["http/1.1"]) }

    /// Sends `head` (request line and headers, without the blank line; `Host` and
    /// `Connection: close` are added) and `body`, and returns the parsed answer.
    static func send(port: Int, _ head: String, body: [UInt8] = [], rawHead: Bool = false) async throws -> HTTPTestResponse {
        let request = rawHead ? Array(head.utf8) + body
            : Array((head + "\r\nHost: salon.test\r\nConnection: close\r\n\r\n").utf8) + body
        return parse(try await exchange(port: port, request))
    }

    static func request(port: Int, _ method: String, _ target: String, headers: [String: String] = [:],
                        body: [UInt8] = []) async throws -> HTTPTestResponse {
        var head = "\(method) \(target) HTTP/1.1"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\r\n\(name): \(value)" }
        if !body.isEmpty, headers["Content-Length"] == nil { head += "\r\nContent-Length: \(body.count)" }
        return try await send(port: port, head, body: body)
    }

    /// The path and query of a URL the server handed out (its host is the XMPP domain).
    static func target(_ url: String) -> String {
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        return afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
    }

    /// Writes the bytes, then collects everything until the server closes.
    static func exchange(port: Int, _ bytes: [UInt8], halfWay: Bool = false) async throws -> [UInt8] {
        let context = try tls.get()
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(OpenSSLHandler(context: context, role: .client(serverName: "salon.test")))
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        if halfWay {
            // The client goes away mid-upload.
            try await channel.close()
            return []
        }
        try await channel.closeFuture.get()
        return collector.bytes.withLock { $0 }
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes = Mutex<[UInt8]>([])

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let read = buffer.readBytes(length: buffer.readableBytes) ?? []
            bytes.withLock { $0 += read }
        }
    }

    static func parse(_ bytes: [UInt8]) -> HTTPTestResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            return HTTPTestResponse(status: 0, headers: [], body: bytes)
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[(end + 4)...])
        if let length = headers.first(where: { $0.0.lowercased() == "content-length" }).flatMap({ Int($0.1) }), body.count > length {
            body = Array(body.prefix(length))
        }
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }
}
