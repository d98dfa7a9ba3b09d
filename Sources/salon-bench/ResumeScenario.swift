import ArgumentParser
import Foundation
import SalonClient
import XMPPCore

/// `resume`: N clients sit in one room with stream management (XEP-0198) and resumption on
/// while another account posts at a steady rate; halfway through, each client drops its TCP
/// connection (no `</stream>`) at a random moment and resumes on a new one. Every client then
/// checks it got every post exactly once. Reports lost and duplicated messages (both must be
/// 0), failed resumptions, and the server's CPU per resumption: the CPU of the phase with the
/// resumptions minus that of the same length of traffic alone just before.
struct ResumeScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Room occupants dropping and resuming (XEP-0198) under traffic: lost, duplicated, server CPU per resumption.")

    @OptionGroup var target: Target
    @OptionGroup var room: RoomOptions
    @Option(help: "Clients that drop and resume (accounts 1…N; account N+1 posts).") var clients = 1000
    @Option(help: "Room posts per second.") var rate = 100
    @Option(help: "Seconds of traffic alone, then seconds of traffic with the drops.") var phase = 5.0
    @Option(help: "Clients connecting (and resuming) at once.") var concurrency = 50

    func validate() throws {
        guard clients >= 1, rate >= 1, concurrency >= 1 else { throw ValidationError("clients, rate and concurrency must be positive") }
        guard phase >= 1, phase < 3600 else { throw ValidationError("--phase is 1 to 3600 seconds") }
    }

    func run() async throws {
        let roomJID = room.jid(on: target)
        let total = Int(Double(rate) * phase * 2)
        let sender = "\(roomJID)/sender"
        let entered = await concurrently(clients, limit: concurrency) { index -> Result<ResumingOccupant, BenchError> in
            do {
                return .success(try await ResumingOccupant.enter(target, account: index + 1, room: roomJID))
            } catch {
                return .failure(BenchError("\(error)"))
            }
        }
        let occupants = entered.compactMap { try? $0.get() }
        let writer = try await target.login(account: clients + 1)
        try await RoomJoin.join(writer, room: roomJID, nick: "sender")

        // The joins' presence has been fanned out before the traffic alone is measured.
        try await Task.sleep(for: .seconds(1))
        let server = target.server
        let start = ContinuousClock.now
        let halfway = start + .milliseconds(Int64(phase * 1000))
        let readers = occupants.map { occupant in
            let dropAt = halfway + .milliseconds(Int64.random(in: 0...Int64(phase * 500)))
            return Task { await occupant.run(from: sender, total: total, dropAt: dropAt, target: target) }
        }
        let first = try server?.sample()
        var middle: ServerProcess.Sample?
        for index in 0..<total {
            try await ContinuousClock().sleep(until: start + .microseconds(Int64(index) * 1_000_000 / Int64(rate)))
            if middle == nil, ContinuousClock.now >= halfway { middle = try server?.sample() }
            writer.sendRaw("<message to='\(roomJID)' type='groupchat'><body>rb \(index)</body></message>")
        }
        let last = try server?.sample()
        writer.sendRaw("<message to='\(roomJID)' type='groupchat'><body>rb end</body></message>")

        var lost = 0, duplicated = 0, resumed = 0
        var failures = entered.compactMap { result -> String? in if case .failure(let error) = result { "enter: \(error)" } else { nil } }
        for reader in readers {
            let outcome = await reader.value
            if let failure = outcome.failure { failures.append(failure); continue }
            resumed += 1
            lost += outcome.counts.filter { $0 == 0 }.count
            duplicated += outcome.counts.reduce(0) { $0 + max(0, Int($1) - 1) }
        }
        var cpuPerResumption = Double.nan, steady = Double.nan, withDrops = Double.nan
        if let first, let middle, let last, resumed > 0 {
            steady = middle.cpuMicroseconds - first.cpuMicroseconds
            withDrops = last.cpuMicroseconds - middle.cpuMicroseconds
            cpuPerResumption = (withDrops - steady) / Double(resumed)
        }
        Report.print("resume", Report.format("%d of %d occupants resumed under %d posts/s (%d posts): %d lost, %d duplicated; server %.0f µs CPU per resumption (%.2f s CPU with the drops, %.2f s without) [%@]",
                                             resumed, clients, rate, total, lost, duplicated, cpuPerResumption, withDrops / 1e6, steady / 1e6,
                                             target.label),
                     [("resumed", Double(resumed)), ("failures", Double(failures.count)), ("lost", Double(lost)),
                      ("duplicated", Double(duplicated)), ("cpu_us_per_resumption", cpuPerResumption),
                      ("server_cpu_s_with_drops", withDrops / 1e6), ("server_cpu_s_steady", steady / 1e6)])
        Report.failures(failures)
        try? await writer.channel.close()
    }
}

/// One bench occupant with a resumable session: its current connection, its SM-ID.
final class ResumingOccupant: @unchecked Sendable {
    private var client: XMPPClient
    private let previd: String
    private let account: Int
    private let room: String
    private var seen = 0

    private init(client: XMPPClient, previd: String, account: Int, room: String) {
        self.client = client
        self.previd = previd
        self.account = account
        self.room = room
    }

    /// Logs in, enables stream management with resumption and joins `room`.
    static func enter(_ target: Target, account: Int, room: String) async throws -> ResumingOccupant {
        let client = try await target.login(account: account)
        client.sendRaw("<enable xmlns='\(ClientStreamManagement.ns)' resume='true'/>")
        let enabled = try await client.expect { $0.namespace == ClientStreamManagement.ns && ($0.name == "enabled" || $0.name == "failed") }
        guard enabled.name == "enabled", let id = enabled[attribute: "id"] else {
            try? await client.channel.close()
            throw BenchError("resumption not enabled")
        }
        try await RoomJoin.join(client, room: room, nick: "u\(account)")
        return ResumingOccupant(client: client, previd: id, account: account, room: room)
    }

    struct Outcome: Sendable {
        /// How often each post arrived.
        var counts: [UInt16]
        var failure: String?
    }

    /// Counts posts from `sender` until `dropAt`, drops the connection, resumes, and counts on
    /// until the last post.
    func run(from sender: String, total: Int, dropAt: ContinuousClock.Instant, target: Target) async -> Outcome {
        var outcome = Outcome(counts: [UInt16](repeating: 0, count: total))
        do {
            while ContinuousClock.now < dropAt {
                let remaining = ContinuousClock.now.duration(to: dropAt)
                guard let post = try? await client.expect(timeout: remaining, { Self.isPost($0, from: sender) }) else { break }
                if count(post, into: &outcome) { return outcome }
            }
            try? await client.channel.close()
            // What arrived before the drop is still in the inbox, and counted in `h`.
            while let post = try? await client.expect(timeout: .milliseconds(1), { Self.isPost($0, from: sender) }) {
                if count(post, into: &outcome) { return outcome }
            }
            client = try await resume(target, h: client.streamManagement.handled)
            while true {
                let post = try await client.expect { Self.isPost($0, from: sender) }
                if count(post, into: &outcome) { break }
            }
            // A clean end, so the server does not keep a detached session for the resumption timeout.
            await client.close()
        } catch {
            outcome.failure = "\(error)"
        }
        return outcome
    }

    /// True at the last post. Every so often, what else arrived (presence, acks requests) is dropped.
    private func count(_ post: XMLElement, into outcome: inout Outcome) -> Bool {
        seen += 1
        if seen % 64 == 0 { client.discard { $0.name != "message" } }
        guard let body = post.child("body", namespace: NS.client)?.text else { return false }
        if body == "rb end" { return true }
        if let index = Int(body.dropFirst(3)), outcome.counts.indices.contains(index) { outcome.counts[index] &+= 1 }
        return false
    }

    private func resume(_ target: Target, h: UInt32) async throws -> XMPPClient {
        let (user, password) = target.account(account)
        let client = try await XMPPClient.open(target.options)
        let features = try await client.secureStream()
        try await client.authenticate(features: features, username: user, password: password)
        _ = try await client.openStream()
        client.streamManagement.prepareResumption(from: h)
        client.sendRaw("<resume xmlns='\(ClientStreamManagement.ns)' previd='\(previd)' h='\(h)'/>")
        let answer = try await client.expect { $0.namespace == ClientStreamManagement.ns && ($0.name == "resumed" || $0.name == "failed") }
        guard answer.name == "resumed" else {
            try? await client.channel.close()
            throw BenchError("resumption failed: \(answer.elements.first?.name ?? "?")")
        }
        return client
    }

    private static func isPost(_ element: XMLElement, from sender: String) -> Bool {
        element.name == "message" && element[attribute: "from"] == sender && element[attribute: "type"] == "groupchat"
    }
}
