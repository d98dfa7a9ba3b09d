import Foundation

/// Bounds on what the store accepts: values may come from the network, even after normalisation.
enum InputLimits {
    /// A bare JID is at most a 1023-byte localpart, "@", and a 1023-byte domain (RFC 7622).
    static let maxJIDBytes = 2047
    /// Salts and SCRAM keys are a few dozen bytes; anything far larger is not a credential.
    static let maxCredentialFieldBytes = 1024
    /// Roster names and group names are display strings, not documents.
    static let maxRosterTextBytes = 1023
    /// Enough groups for any human roster.
    static let maxRosterGroups = 64
    /// Metadata keys are identifiers.
    static let maxMetadataKeyBytes = 256

    /// Throws invalidArgument unless `jid` looks like a bare JID of bounded size.
    static func checkBareJID(_ jid: String, _ role: String = "JID") throws {
        guard !jid.isEmpty, jid.utf8.count <= maxJIDBytes else {
            throw StoreError(.invalidArgument, "\(role) must be 1…\(maxJIDBytes) bytes")
        }
    }

    /// Throws invalidArgument unless `jid` is a local account's bare JID "user@domain".
    static func checkAccountJID(_ jid: String) throws {
        try checkBareJID(jid, "account JID")
        guard let at = jid.firstIndex(of: "@"), at != jid.startIndex, jid.index(after: at) != jid.endIndex else {
            throw StoreError(.invalidArgument, "account JID must look like user@domain: \(jid)")
        }
        // No JID holds a control character (RFC 7622), and PostgreSQL's text cannot hold NUL.
        try PostgresText.check(jid, "account JID")
    }

    /// Throws invalidArgument unless `key` is a metadata key of bounded size.
    static func checkMetadataKey(_ key: String) throws {
        guard !key.isEmpty, key.utf8.count <= maxMetadataKeyBytes else {
            throw StoreError(.invalidArgument, "metadata key must be 1…\(maxMetadataKeyBytes) bytes")
        }
    }

    /// Now, as the stores keep times: milliseconds since the Unix epoch.
    static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
