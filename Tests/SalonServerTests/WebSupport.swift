import Foundation
import SalonClient
@testable import SalonServer

/// A browser for the room pages' tests, over `HTTPTestClient`: it keeps the cookies the
/// server sets and sends forms with the CSRF token of the page they came from.
final class WebBrowser: @unchecked Sendable {
    let port: Int
    private(set) var cookies: [String: String] = [:]
    /// The Set-Cookie headers of the last answer, as sent.
    private(set) var lastSetCookies: [String] = []

    init(port: Int) { self.port = port }

    @discardableResult
    func get(_ target: String) async throws -> HTTPTestResponse {
        try await send("GET", target)
    }

    /// Posts `fields` URL-encoded, as a browser submits a form.
    @discardableResult
    func post(_ target: String, _ fields: [(String, String)], contentType: String = "application/x-www-form-urlencoded") async throws -> HTTPTestResponse {
        try await send("POST", target, body: Array(WebBrowser.encode(fields).utf8), contentType: contentType)
    }

    func send(_ method: String, _ target: String, body: [UInt8] = [], contentType: String? = nil) async throws -> HTTPTestResponse {
        var headers: [String: String] = [:]
        if !cookies.isEmpty { headers["Cookie"] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let contentType { headers["Content-Type"] = contentType }
        if method == "POST", body.isEmpty { headers["Content-Length"] = "0" }
        let answer = try await HTTPTestClient.request(port: port, method, target, headers: headers, body: body)
        lastSetCookies = answer.headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1)
        for header in lastSetCookies {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return answer
    }

    /// Signs in through the form; returns the answer to the POST.
    @discardableResult
    func signIn(_ account: String, password: String, next: String? = nil) async throws -> HTTPTestResponse {
        let form = try await get("/rooms/sign-in" + (next.map { "?next=" + $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! } ?? ""))
        var fields = [("csrf", WebBrowser.csrf(in: form.text) ?? ""), ("account", account), ("password", password)]
        if let next { fields.append(("next", next)) }
        return try await post("/rooms/sign-in", fields)
    }

    /// Posts a form of the page at `page`, with that page's CSRF token.
    @discardableResult
    func submit(on page: String, to target: String, _ fields: [(String, String)]) async throws -> HTTPTestResponse {
        let csrf = WebBrowser.csrf(in: try await get(page).text) ?? ""
        return try await post(target, [("csrf", csrf)] + fields)
    }

    var session: String? { cookies[WebSessions.cookieName] }

    func setCookie(_ name: String, _ value: String) { cookies[name] = value }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return fields.map { name, value in
            let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed.union(CharacterSet(charactersIn: " ")))!
                .replacingOccurrences(of: " ", with: "+")
            return "\(name)=\(encoded)"
        }.joined(separator: "&")
    }
}

extension HTTPTestResponse {
    /// Where a redirect points.
    var location: String? { header("Location") }
}
