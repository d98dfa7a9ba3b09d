import Foundation
import SalonStore

/// Several nodes serving one domain from one PostgreSQL database (`cluster.*`, issue #21).
/// A clustered node registers, heartbeats, keeps the live set, serves the rooms it owns and
/// links to the other nodes for the rest.
public struct ClusterConfiguration: Sendable {
    /// `cluster.enabled`: off by default; needs `storage.backend: postgresql`.
    public var enabled = false
    /// `cluster.node_id`: this node's id; nil: `defaultNodeID` (host name and c2s port).
    public var nodeID: String?
    /// `cluster.address`: `host:port` other nodes reach this node on; required when enabled.
    public var address: String?
    /// `cluster.secret_file`, read: the secret node links prove to each other; required when enabled.
    public var secret: ClusterSecret?
    /// `cluster.dead_after`: a node whose heartbeat is older than this is dead, and its rooms
    /// move. Short, so a room whose owner died posts again within seconds; long enough that a
    /// node missing a couple of heartbeats (a busy database) is not taken for dead.
    public var deadAfter: Duration = .seconds(3)
    /// How often a node marks itself alive.
    public var heartbeatInterval: Duration = .seconds(1)
    /// How often a node reads the whole membership: deaths are noticed this way, since a dead
    /// node announces nothing (joins and leaves are announced, and heard at once).
    public var lookInterval: Duration = .seconds(1)
    /// `cluster.forget_after`: a node gone (left, or its heartbeat stopped) this long is
    /// forgotten: its row leaves the membership and `salon cluster status`. Long enough to read
    /// what happened; a cluster whose nodes get new ids (new hosts) does not grow without end.
    public var forgetAfter: Duration = .seconds(86_400)
    /// How often a node forgets long-gone nodes.
    public var forgetInterval: Duration = .seconds(3_600)

    public init() {}

    /// The id of a node not given one: its host name (letters, digits, '.', '-', lower case)
    /// and its configured c2s port, so it stays the same across restarts of that node and two
    /// nodes on one host differ by port.
    public static func defaultNodeID(hostName: String, c2sPort: Int) -> String {
        let host = String(hostName.lowercased().unicodeScalars.map {
            ClusterNames.isNodeID(String($0)) && $0 != ":" ? Character($0) : "-"
        })
        let suffix = "-\(c2sPort)"
        return String((host.isEmpty ? "node" : host).prefix(ClusterNames.maxNodeIDBytes - suffix.count)) + suffix
    }

    /// The node id in use: the configured one, or the default for this host and `c2sPort`.
    public func effectiveNodeID(c2sPort: Int) -> String {
        nodeID ?? Self.defaultNodeID(hostName: ProcessInfo.processInfo.hostName, c2sPort: c2sPort)
    }

    /// Throws, naming the setting, when clustering is asked for on a backend without a cluster
    /// or with an id or address other nodes could not use.
    public func check(storage: StorageConfiguration) throws {
        guard enabled else { return }
        guard case .postgresql = storage else {
            throw ClusterConfigurationError("cluster.enabled needs storage.backend: postgresql "
                                            + "(the nodes share their membership and rooms through PostgreSQL; SQLite serves one node)")
        }
        if let nodeID, !ClusterNames.isNodeID(nodeID) {
            throw ClusterConfigurationError("cluster.node_id '\(nodeID)' must be 1…\(ClusterNames.maxNodeIDBytes) ASCII letters, digits, '.', '_', '-' or ':'")
        }
        guard let address, !address.isEmpty else {
            throw ClusterConfigurationError("cluster.enabled needs cluster.address: the host:port other nodes reach this node on")
        }
        guard Self.isHostAndPort(address) else {
            throw ClusterConfigurationError("cluster.address '\(address)' must be host:port (a port 1…65535; an IPv6 host in brackets)")
        }
        guard secret != nil else { throw ClusterConfigurationError.missingSecret }
        guard deadAfter >= heartbeatInterval * 2 else {
            throw ClusterConfigurationError("cluster.dead_after must be at least two heartbeats (\(heartbeatInterval * 2))")
        }
        guard forgetAfter > deadAfter else {
            throw ClusterConfigurationError("cluster.forget_after must be longer than cluster.dead_after (\(deadAfter))")
        }
    }

    /// `host:port`, `[v6]:port`: a port in range after the last colon, a host before it.
    static func isHostAndPort(_ address: String) -> Bool {
        guard ClusterNames.isAddress(address), let colon = address.lastIndex(of: ":"),
              let port = Int(address[address.index(after: colon)...]), (1...65_535).contains(port) else { return false }
        let host = address[..<colon]
        return !host.isEmpty && (!host.contains(":") || (host.hasPrefix("[") && host.hasSuffix("]")))
    }
}

/// A cluster setting that cannot work, with the setting's name in its message.
public struct ClusterConfigurationError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    public static let missingSecret = ClusterConfigurationError(
        "cluster.enabled needs cluster.secret_file: the secret the nodes' links prove to each other")
}
