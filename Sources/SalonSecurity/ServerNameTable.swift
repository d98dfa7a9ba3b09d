import COpenSSL

/// Maps SNI names to per-domain SSL_CTXs: a name equal to a domain or below it picks that domain's context.
final class ServerNameTable: @unchecked Sendable {
    /// Immutable after init, so sharing across event loops is safe.
    private let entries: [(domain: [UInt8], context: SSLContextBox)]

    /// Longest domains first, so the most specific domain wins.
    init(_ entries: [(domain: String, context: SSLContextBox)]) {
        self.entries = entries
            .map { (ServerNameTable.normalize(Array($0.domain.utf8)), $0.context) }
            .sorted { $0.0.count > $1.0.count }
    }

    /// The context for `name`, or nil to keep the default.
    func context(for name: [UInt8]) -> SSLContextBox? {
        let name = ServerNameTable.normalize(name)
        for entry in entries where !entry.domain.isEmpty {
            if name == entry.domain { return entry.context }
            if name.count > entry.domain.count, name.suffix(entry.domain.count).elementsEqual(entry.domain),
               name[name.count - entry.domain.count - 1] == UInt8(ascii: ".") {
                return entry.context
            }
        }
        return nil
    }

    /// Installs the servername callback on the default context; `self` must outlive its connections.
    func install(on context: OpaquePointer) {
        _ = salon_SSL_CTX_set_tlsext_servername_callback(context, serverNameCallback)
        _ = salon_SSL_CTX_set_tlsext_servername_arg(context, Unmanaged.passUnretained(self).toOpaque())
    }

    /// ASCII lower case without a trailing dot.
    static func normalize(_ name: [UInt8]) -> [UInt8] {
        var result = name.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        if result.last == UInt8(ascii: ".") { result.removeLast() }
        return result
    }
}

/// OpenSSL's SNI callback: switches the connection to the matching domain's context.
private let serverNameCallback: salon_servername_callback = { ssl, _, argument in
    guard let ssl, let argument, let namePointer = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else {
        return SSL_TLSEXT_ERR_NOACK
    }
    let length = strnlen(namePointer, 256)
    let name = UnsafeRawBufferPointer(start: namePointer, count: length)
    let table = Unmanaged<ServerNameTable>.fromOpaque(argument).takeUnretainedValue()
    if let match = table.context(for: Array(name)) {
        _ = SSL_set_SSL_CTX(ssl, match.pointer)
    }
    return SSL_TLSEXT_ERR_OK
}
