import Foundation
import HTTPTypes
import SalonStore

/// The headers a download is served with, so that a file cannot act as a page of this site:
/// shown inline only when it is an image, audio, video or plain text, never sniffed, no scripts,
/// and checked again with the server before a cache reuses it (it may be revoked).
enum FileHeaders {
    static func headers(for file: FileRecord) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = file.contentType == "text/plain" ? "text/plain; charset=utf-8" : file.contentType
        headers[.contentDisposition] = (isInline(file.contentType) ? "inline" : "attachment") + "; " + dispositionName(file.name)
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
        headers[.referrerPolicy] = "no-referrer"
        headers[.cacheControl] = "private, no-cache"
        headers[.acceptRanges] = "bytes"
        headers[.eTag] = "\"\(file.sha256 ?? file.id)\""
        if let completed = file.completed { headers[.lastModified] = httpDate(completed) }
        return headers
    }

    static func isInline(_ type: String) -> Bool {
        guard type != "image/svg+xml" else { return false }
        return type.hasPrefix("image/") || type.hasPrefix("audio/") || type.hasPrefix("video/") || type == "text/plain"
    }

    /// `filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266): the plain form with
    /// anything but safe ASCII replaced, for old clients.
    static func dispositionName(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar != "%" ? Character(scalar) : "_"
        })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    private static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
