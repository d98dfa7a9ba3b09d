import Foundation
import XMPPCore

/// A XEP-0363 slot request, checked as hostile input: the file name becomes the last segment of
/// both URLs and the download's Content-Disposition, so it must be one plain name.
struct UploadSlotRequest: Sendable, Equatable {
    static let ns = "urn:xmpp:http:upload:0"
    static let maxNameBytes = 255
    static let maxTypeBytes = 255

    let filename: String
    let size: Int64
    /// Lowercased, without parameters; `application/octet-stream` when the client named none.
    let contentType: String

    /// Reads `<request filename size content-type/>`, or says what is wrong with it.
    static func parse(_ request: XMLElement) -> Result<UploadSlotRequest, StanzaError> {
        guard let filename = request[attribute: "filename"], let sizeText = request[attribute: "size"] else {
            return .failure(StanzaError(.badRequest, text: "A slot request needs a filename and a size."))
        }
        guard sizeText.utf8.count <= 19, let size = Int64(sizeText), size > 0 else {
            return .failure(StanzaError(.badRequest, text: "The size must be a whole number of bytes above zero."))
        }
        if let refusal = refusal(ofName: filename) {
            return .failure(StanzaError(.badRequest, text: refusal))
        }
        let given = request[attribute: "content-type"] ?? ""
        let type = given.isEmpty ? "application/octet-stream" : normalizedType(given)
        guard let type else {
            return .failure(StanzaError(.badRequest, text: "The content type is not a type/subtype."))
        }
        return .success(UploadSlotRequest(filename: filename, size: size, contentType: type))
    }

    /// Why a file name is refused: path separators, `.`/`..`, NUL and control characters,
    /// a leading dot or tilde (hidden files, home directories), too long.
    static func refusal(ofName name: String) -> String? {
        if name.isEmpty || name.utf8.count > maxNameBytes { return "The file name must be 1 to \(maxNameBytes) bytes." }
        if name == "." || name == ".." || name.hasPrefix(".") || name.hasPrefix("~") {
            return "The file name must not start with a dot or a tilde."
        }
        for scalar in name.unicodeScalars {
            if scalar == "/" || scalar == "\\" { return "The file name must not contain a path separator." }
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || [0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069].contains(scalar.value) {
                return "The file name must not contain control or direction characters."
            }
        }
        return nil
    }

    /// `type/subtype` in lowercase without parameters, or nil when it is not one (RFC 9110 tokens).
    static func normalizedType(_ given: String) -> String? {
        let bare = given.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard bare.utf8.count <= maxTypeBytes else { return nil }
        let parts = bare.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isTokenByte) }) else { return nil }
        return bare
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }
}
