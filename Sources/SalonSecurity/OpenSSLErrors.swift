import COpenSSL

/// Reads OpenSSL's per-thread error queue into readable text.
enum OpenSSLErrors {
    /// Empties the queue and returns its entries joined by "; " (at most a few, the rest discarded).
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            let length = text.firstIndex(of: 0) ?? text.count
            messages.append(String(decoding: text[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
            if messages.count >= 8 {
                ERR_clear_error()
                break
            }
        }
        return messages.joined(separator: "; ")
    }

    /// A TLSError for `what`, with the queued OpenSSL errors appended.
    static func error(_ what: String) -> TLSError {
        let details = drain()
        return TLSError(message: details.isEmpty ? what : "\(what): \(details)")
    }
}
