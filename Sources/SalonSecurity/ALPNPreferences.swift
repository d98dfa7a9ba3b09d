import COpenSSL

/// A server's ALPN protocols in preference order, reachable from OpenSSL's selection callback.
final class ALPNPreferences: @unchecked Sendable {
    /// Immutable after init, so sharing across event loops is safe.
    let protocols: [[UInt8]]

    init(_ names: [String]) throws(TLSError) {
        protocols = names.map { Array($0.utf8) }
        for name in protocols where name.isEmpty || name.count > 255 {
            throw TLSError(message: "invalid ALPN protocol name (must be 1...255 bytes)")
        }
    }

    /// The RFC 7301 wire form: each name prefixed by its length.
    var wireFormat: [UInt8] {
        protocols.flatMap { [UInt8(truncatingIfNeeded: $0.count)] + $0 }
    }

    /// Index into `clientList` of our most preferred protocol that the client also offers.
    func select(from clientList: UnsafeBufferPointer<UInt8>) -> (offset: Int, length: Int)? {
        for wanted in protocols {
            var index = 0
            while index < clientList.count {
                let length = Int(clientList[index])
                let start = index + 1
                guard length > 0, start + length <= clientList.count else { return nil }
                if length == wanted.count, clientList[start..<(start + length)].elementsEqual(wanted) {
                    return (start, length)
                }
                index = start + length
            }
        }
        return nil
    }

    /// Installs the selection callback on a server context; `self` must outlive the context's connections.
    func install(on context: OpaquePointer) {
        SSL_CTX_set_alpn_select_cb(context, alpnSelectCallback, Unmanaged.passUnretained(self).toOpaque())
    }
}

/// OpenSSL's ALPN callback: picks by server preference, or continues without ALPN when nothing matches.
private let alpnSelectCallback: SSL_CTX_alpn_select_cb_func = { _, out, outLength, clientList, clientLength, argument in
    guard let out, let outLength, let clientList, let argument else { return SSL_TLSEXT_ERR_NOACK }
    let preferences = Unmanaged<ALPNPreferences>.fromOpaque(argument).takeUnretainedValue()
    guard let choice = preferences.select(from: UnsafeBufferPointer(start: clientList, count: Int(clientLength))) else {
        return SSL_TLSEXT_ERR_NOACK
    }
    // Points into the client's list, which OpenSSL copies right after this returns.
    out.pointee = clientList + choice.offset
    outLength.pointee = UInt8(truncatingIfNeeded: choice.length)
    return SSL_TLSEXT_ERR_OK
}
