import Foundation
import Hummingbird

/// A submitted form or a query string (application/x-www-form-urlencoded), bounded: at most
/// `maxFields` fields, each name and value valid UTF-8 after decoding.
struct WebForm: Sendable {
    private(set) var fields: [(name: String, value: String)] = []
    static let maxFields = 200

    struct Refusal: Error {
        let status: HTTPResponse.Status
        let message: String
    }

    init(fields: [(name: String, value: String)] = []) { self.fields = fields }

    /// Parses `text` (`a=1&b=x+y`); a malformed escape or too many fields is a refusal.
    init(encoded text: Substring) throws(Refusal) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            guard fields.count < Self.maxFields else { throw Refusal(status: .badRequest, message: "The form has too many fields.") }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw Refusal(status: .badRequest, message: "The form is not valid URL-encoded text.")
            }
            fields.append((name, value))
        }
    }

    /// The request's query string.
    static func query(_ request: Request) -> WebForm {
        (try? WebForm(encoded: Substring(request.uri.query ?? ""))) ?? WebForm()
    }

    /// The request's form body, at most `limit` bytes (413 past it); only URL-encoded forms.
    static func body(_ request: Request, limit: Int) async throws(Refusal) -> WebForm {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw Refusal(status: .unsupportedMediaType, message: "Forms are sent URL-encoded.")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Refusal(status: .contentTooLarge, message: "The form is larger than \(limit) bytes.")
        }
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw Refusal(status: .contentTooLarge, message: "The form is larger than \(limit) bytes.")
        }
        return try WebForm(encoded: Substring(String(decoding: buffer.readableBytesView, as: UTF8.self)))
    }

    /// The first value of a field, trimmed; nil when absent.
    subscript(_ name: String) -> String? {
        fields.first { $0.name == name }.map { $0.value.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The first value of a field, trimmed, nil when absent or empty.
    func text(_ name: String) -> String? {
        self[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func decode(_ part: Substring) -> String? {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        guard let decoded = spaced.removingPercentEncoding else { return nil }
        // Control characters other than newlines and tabs have no place in a field.
        guard !decoded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\n\r\t".unicodeScalars.contains($0) })
        else { return nil }
        return decoded
    }
}
