import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders the room pages and makes their responses: every value HTML-escaped by the
/// templates, private pages never cached, nothing loaded from elsewhere.
struct WebPages: Sendable {
    private let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in WebTemplates.all {
            // The templates are constants of this file's module; a test renders each.
            try! library.register(text, named: name)
        }
        self.library = library
    }

    /// A page in the layout. nil values are left out (a section over them renders nothing).
    func page(_ template: String, title: String, _ values: [String: Any?] = [:], user: WebUser?, notice: String? = nil,
              error: String? = nil, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        let body = library.render(Self.object(values), withTemplate: template) ?? ""
        var layout: [String: Any?] = ["title": title, "body": body, "notice": notice, "error": error]
        if let user { layout["user"] = ["account": user.account, "csrf": user.csrf, "administrator": user.administrator] }
        var headers = Self.privateHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: library.render(Self.object(layout), withTemplate: "layout") ?? "")))
    }

    /// A page that only says what went wrong (or right), with a way back.
    func message(_ title: String, _ text: String, status: HTTPResponse.Status, user: WebUser?) -> Response {
        let error = status.code >= 400 ? text : nil
        return page("message-page", title: title, ["heading": title], user: user, notice: error == nil ? text : nil, error: error, status: status)
    }

    /// A dictionary for Mustache without its nil values.
    static func object(_ values: [String: Any?]) -> [String: Any] { values.compactMapValues { $0 } }

    /// Headers of every page: not stored by any cache, not framed, no script or outside resource.
    static let privateHeaders: HTTPFields = [
        .cacheControl: "no-store",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("Content-Security-Policy")!:
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ]

    /// A redirect after a form (303: the browser follows with GET) to a path of these pages.
    static func redirect(_ path: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = privateHeaders
        headers[.location] = path
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }

    static func stylesheet() -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600",
                                        HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: WebStyle.css)))
    }

    /// A path the sign-in may return to: one of these pages, never another site.
    static func safeReturnPath(_ text: String?) -> String? {
        guard let text, text.utf8.count <= 2000, text == "/rooms" || text.hasPrefix("/rooms/") || text.hasPrefix("/rooms?"),
              !text.contains("\\"), !text.contains("//"),
              !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) else { return nil }
        return text
    }

    /// Options of a select, the current one selected.
    static func options(_ values: [String], selected: String?) -> [[String: Any]] {
        values.map { ["value": $0, "label": $0.isEmpty ? "Any" : $0, "selected": $0.lowercased() == selected?.lowercased()] }
    }

    /// A time as the pages show it (UTC) and as `datetime` carries it.
    static func times(_ date: Date) -> (shown: String, iso: String) {
        let iso = date.formatted(.iso8601)
        return (String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC", iso)
    }
}
