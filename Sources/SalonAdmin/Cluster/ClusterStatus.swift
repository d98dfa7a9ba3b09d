import Foundation
import SalonStore

/// What `salon cluster status` shows (issue #21): every node the database knows, with its
/// address, the age of its last heartbeat by the database's clock, its state, the client
/// sessions it serves and the room leases it holds.
public struct ClusterStatus: Sendable {
    public let nodes: [ClusterNode]
    public let sessions: [String: Int]
    public let leases: [String: Int]

    /// Reads the membership, the session counts and the lease counts from `store`.
    public static func read(_ store: any ClusterStore) async throws -> ClusterStatus {
        ClusterStatus(nodes: try await store.nodes(), sessions: try await store.sessionCounts(), leases: try await store.leaseCounts())
    }

    public init(nodes: [ClusterNode], sessions: [String: Int] = [:], leases: [String: Int]) {
        self.nodes = nodes
        self.sessions = sessions
        self.leases = leases
    }

    /// One line per node under a header, then the totals; leases of a node the table no longer
    /// lists are shown too, so no lease goes unseen.
    public var lines: [String] {
        let header = ["NODE", "ADDRESS", "HEARTBEAT", "STATE", "SESSIONS", "LEASES"]
        var rows = nodes.map { node in
            [node.id, node.address, Self.age(node.heartbeatAge), node.state.rawValue, "\(sessions[node.id] ?? 0)", "\(leases[node.id] ?? 0)"]
        }
        for (node, count) in leases.sorted(by: { $0.key < $1.key }) where !nodes.contains(where: { $0.id == node }) {
            rows.append([node, "-", "-", "unknown", "\(sessions[node] ?? 0)", "\(count)"])
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let table = ([header] + rows).map { row in
            row.enumerated().map { column, text in
                column == row.count - 1 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let live = nodes.filter { $0.state == .live }.count
        return table + ["\(live) live of \(nodes.count) nodes; \(sessions.values.reduce(0, +)) sessions; \(leases.values.reduce(0, +)) room leases"]
    }

    /// "0.4s ago", "12s ago", "3h ago": how stale a heartbeat is at a glance.
    static func age(_ seconds: Double) -> String {
        switch seconds {
        case ..<10: "\((seconds * 10).rounded() / 10)s ago"
        case ..<120: "\(Int(seconds))s ago"
        case ..<7200: "\(Int(seconds / 60))m ago"
        case ..<172_800: "\(Int(seconds / 3600))h ago"
        default: "\(Int(seconds / 86_400))d ago"
        }
    }
}
