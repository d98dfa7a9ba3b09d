import Foundation
import SalonClient

/// HTTP requests for the file tests over `HTTPExchange` (a raw HTTP/1.1 client over Salon's TLS):
/// exactly the bytes a test writes, so malformed and hostile requests can be sent too.
typealias HTTPTestResponse = HTTPAnswer

enum HTTPTestClient {
    /// Sends `head` (request line and headers, without the blank line; `Host` and
    /// `Connection: close` are added) and `body`, and returns the parsed answer.
    static func send(port: Int, _ head: String, body: [UInt8] = []) async throws -> HTTPTestResponse {
        let request = Array((head + "\r\nHost: salon.test\r\nConnection: close\r\n\r\n").utf8) + body
        return HTTPAnswer(try await exchange(port: port, request))
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

    static func exchange(port: Int, _ bytes: [UInt8], halfWay: Bool = false) async throws -> [UInt8] {
        try await HTTPExchange.send(port: port, serverName: "salon.test", bytes, abandon: halfWay)
    }

    static func parse(_ bytes: [UInt8]) -> HTTPTestResponse { HTTPAnswer(bytes) }
}
