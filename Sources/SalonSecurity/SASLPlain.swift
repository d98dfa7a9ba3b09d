/// The PLAIN mechanism (RFC 4616): `[authzid] NUL authcid NUL passwd`.
public enum SASLPlain {
    /// Longest accepted message; RFC 4616 requires only 255 bytes per field.
    public static let maximumMessageLength = 3 * 1024

    /// Splits a PLAIN message; an empty authzid is returned as nil.
    public static func parse(_ message: [UInt8]) throws(SASLFailure) -> (authzid: String?, username: String, password: String) {
        guard message.count <= maximumMessageLength else { throw .malformedRequest }
        let fields = message.split(separator: 0, omittingEmptySubsequences: false)
        guard fields.count == 3 else { throw .malformedRequest }
        guard let authzid = String(validating: fields[0], as: UTF8.self),
              let username = String(validating: fields[1], as: UTF8.self),
              let password = String(validating: fields[2], as: UTF8.self)
        else { throw .malformedRequest }
        guard !username.isEmpty, !password.isEmpty else { throw .malformedRequest }
        return (authzid.isEmpty ? nil : authzid, username, password)
    }

    /// Builds a PLAIN message (for clients and tests).
    public static func message(authzid: String? = nil, username: String, password: String) -> [UInt8] {
        Array((authzid ?? "").utf8) + [0] + Array(username.utf8) + [0] + Array(password.utf8)
    }
}
