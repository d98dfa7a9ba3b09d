import Foundation

/// The secret every node of a cluster shares (`cluster.secret_file`): node links prove they
/// know it before either side trusts the other. Read once at start; never logged.
public struct ClusterSecret: Sendable {
    package let bytes: [UInt8]

    /// For tests and callers that already hold the secret.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads the secret from `path`, trimmed of surrounding white space. Refuses, naming the
    /// setting, a file that is missing, empty, or readable by others than its owner and group:
    /// a secret anyone on the host can read proves nothing.
    public static func load(path: String) throws -> ClusterSecret {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw ClusterConfigurationError("cluster.secret_file '\(path)' cannot be read: it is missing or not accessible")
        }
        if let permissions = attributes[.posixPermissions] as? Int, permissions & 0o004 != 0 {
            throw ClusterConfigurationError("cluster.secret_file '\(path)' is world-readable: allow only its owner (and group), e.g. chmod 600")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusterConfigurationError("cluster.secret_file '\(path)' cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw ClusterConfigurationError("cluster.secret_file '\(path)' is empty: put the shared cluster secret in it")
        }
        return ClusterSecret(Array(text.utf8))
    }
}
