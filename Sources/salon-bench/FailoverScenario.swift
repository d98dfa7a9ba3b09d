import ArgumentParser
import Foundation
import PersistentChat
import SalonClient
import XMPPCore

/// `failover`: how long a room stays silent when the cluster node that owns it is killed. An
/// account on another node joins the room and posts every `--interval` milliseconds, each post
/// awaited (its echo is the room's acknowledgement); then the owner gets SIGKILL, and the
/// figure is the time from the kill to the first echo of a post sent after it.
struct FailoverScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover", abstract: "Times a room's failover when its cluster owner is killed.")

    @OptionGroup var target: Target
    @OptionGroup var room: RoomOptions
    @Option(help: "A cluster node as ID=PORT:PID (its id, client port and process id); one for each node.")
    var node: [String] = []
    @Option(help: "Milliseconds between posts.") var interval = 20
    @Option(help: "Posts acknowledged before the kill.") var before = 50
    @Option(help: "Seconds after the kill before the run is given up.") var limit = 30.0

    struct Node {
        let id: String
        let port: Int
        let pid: Int32
    }

    func validate() throws {
        guard nodes.count >= 2 else { throw ValidationError("give --node ID=PORT:PID for each of at least two nodes") }
    }

    var nodes: [Node] {
        node.compactMap { text in
            let parts = text.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let address = parts[1].split(separator: ":")
            guard address.count == 2, let port = Int(address[0]), let pid = Int32(address[1]) else { return nil }
            return Node(id: String(parts[0]), port: port, pid: pid)
        }
    }

    func run() async throws {
        let nodes = self.nodes
        guard let ownerID = RoomPlacement(nodes: nodes.map(\.id)).owner(of: room.room),
              let owner = nodes.first(where: { $0.id == ownerID }), let survivor = nodes.first(where: { $0.id != ownerID }) else {
            throw BenchError("no owner for \(room.room)")
        }
        var target = target
        target.port = survivor.port
        target.otherPorts = []
        let roomJID = room.jid(on: target)
        let client = try await target.login(account: 1)
        defer { Task { await client.close() } }
        try await RoomJoin.join(client, room: roomJID, nick: "failover")
        var sent = 0
        /// Posts one message and waits up to `wait` for its echo; true when it came.
        func post(wait: Duration) async -> Bool {
            sent += 1
            let body = "failover \(sent)"
            client.send(XMLElement("message", namespace: NS.client, attributes: ["to": roomJID, "type": "groupchat"],
                                   children: [.element(XMLElement("body", namespace: NS.client, children: [.text(body)]))]))
            let echo = try? await client.expect(timeout: wait) {
                $0.name == "message" && $0[attribute: "type"] == "groupchat" && $0.child("body", namespace: NS.client)?.text == body
            }
            return echo != nil
        }
        for _ in 0..<before {
            guard await post(wait: .seconds(target.timeout)) else { throw BenchError("a post before the kill was not acknowledged") }
            try await Task.sleep(for: .milliseconds(interval))
        }
        let clock = Stopwatch()
        guard kill(owner.pid, SIGKILL) == 0 else { throw BenchError("cannot kill \(owner.id) (pid \(owner.pid))") }
        var lost = 0
        while await !post(wait: .milliseconds(interval)) {
            lost += 1
            guard clock.seconds < limit else { throw BenchError("the room did not post again within \(limit) s") }
        }
        let seconds = clock.seconds
        Report.print("failover", Report.format("%@ (owner %@ killed, posting through %@): posts again after %.2f s; %d posts in between unacknowledged",
                                               roomJID, owner.id, survivor.id, seconds, lost),
                     [("failover_s", seconds), ("unacknowledged", Double(lost))])
    }
}
