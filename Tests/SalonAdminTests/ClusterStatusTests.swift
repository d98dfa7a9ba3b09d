import Foundation
import SalonAdmin
import SalonStore
import Testing

/// `salon cluster status`'s table: every node with its address, heartbeat age, state, sessions
/// and leases, leases of a node the table does not list included, and the totals.
struct ClusterStatusTests {
    func node(_ id: String, age: Double, _ state: ClusterNode.State) -> ClusterNode {
        ClusterNode(id: id, address: "10.0.0.\(id.count):5270", startedAt: Date(), heartbeatAge: age,
                    leftAt: state == .left ? Date() : nil, state: state)
    }

    @Test func everyNodeIsOneLineWithItsStateAgeAndLeases() {
        let status = ClusterStatus(nodes: [node("a", age: 0.42, .live), node("bb", age: 75, .dead), node("ccc", age: 9000, .left)],
                                   sessions: ["a": 250], leases: ["a": 12, "bb": 3, "gone": 1])
        let lines = status.lines
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("NODE"))
        #expect(lines[1].split(separator: " ", omittingEmptySubsequences: true) == ["a", "10.0.0.1:5270", "0.4s", "ago", "live", "250", "12"])
        #expect(lines[2].split(separator: " ", omittingEmptySubsequences: true) == ["bb", "10.0.0.2:5270", "75s", "ago", "dead", "0", "3"])
        #expect(lines[3].split(separator: " ", omittingEmptySubsequences: true) == ["ccc", "10.0.0.3:5270", "2h", "ago", "left", "0", "0"])
        #expect(lines[4].split(separator: " ", omittingEmptySubsequences: true) == ["gone", "-", "-", "unknown", "0", "1"])
        #expect(lines[5] == "1 live of 3 nodes; 250 sessions; 16 room leases")
        // Columns line up.
        let column = lines[0].range(of: "ADDRESS")!.lowerBound.utf16Offset(in: lines[0])
        #expect(lines[1...4].allSatisfy { $0.dropFirst(column).first != " " && $0.dropFirst(column - 1).first == " " })
    }

    @Test func anEmptyClusterSaysSo() {
        #expect(ClusterStatus(nodes: [], leases: [:]).lines.last == "0 live of 0 nodes; 0 sessions; 0 room leases")
    }
}
