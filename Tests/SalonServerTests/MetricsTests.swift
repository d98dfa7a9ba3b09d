import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Metrics and health over HTTP")
struct MetricsTests {
    static let lobby = Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open)

    @Test("A scripted session shows in /metrics: logins, connections, room, messages, upload")
    func scriptedSession() async throws {
        try await withServer { server async throws in
            // A wrong password, over SCRAM-SHA-256 after STARTTLS.
            try await server.addUser("mallory")
            var options = server.options()
            options.mechanism = "SCRAM-SHA-256"
            await #expect(throws: ClientError.self) { _ = try await XMPPClient.connect(options, username: "mallory", password: "wrong") }
            let (alice, bob) = try await server.aliceAndBob(in: Self.lobby, category: filesCategory())

            // Mallory's connection leaves the gauges once the server has closed it.
            let joined = try await server.scrape { $0["salon_connections", ["kind": "c2s", "tls": "true"]] == 2 }
            #expect(joined["salon_connections", ["kind": "c2s", "tls": "false"]] == 0)
            #expect(joined["salon_connections_accepted_total", ["kind": "c2s"]] == 3)
            #expect(joined["salon_authentications_total", ["mechanism": "SCRAM-SHA-256", "result": "failure"]] == 1)
            #expect(joined.sum("salon_authentications_total", where: ["result": "success"]) == 2)
            #expect(joined.sum("salon_authentications_total", where: ["result": "refused"]) == 0)
            #expect(joined["salon_rooms_live"] == 1)
            #expect(joined["salon_room_occupants"] == 2)
            #expect(joined["salon_room_history_cache_total", ["result": "hit"]] == 2)
            #expect(try #require(joined["salon_room_history_cache_total", ["result": "miss"]]) >= 1)
            #expect(joined["salon_groupchat_messages_total"] == 0)

            // Three posts: each received once, sent to both occupants, archived.
            for text in ["one", "two", "three"] { alice.say("lobby", text) }
            for _ in 0..<3 {
                _ = try await bob.heard(in: "lobby")
                _ = try await alice.heard(in: "lobby")
            }
            let posted = try await server.scrape()
            let received = ["kind": "message"]
            #expect(posted["salon_stanzas_received_total", received]! - joined["salon_stanzas_received_total", received]! == 3)
            #expect(posted["salon_stanzas_sent_total", received]! - joined["salon_stanzas_sent_total", received]! == 6)
            #expect(posted["salon_groupchat_messages_total"] == 3)
            #expect(posted["salon_archive_commit_messages_sum"] == 3)
            let commits = try #require(posted["salon_archive_commit_messages_count"])
            #expect(commits >= 1 && commits <= 3)
            #expect(posted["salon_archive_commit_seconds_count"] == commits)
            #expect(try #require(posted["salon_archive_commit_seconds_sum"]) > 0)
            #expect(posted["salon_archive_commit_messages_bucket", ["le": "+Inf"]] == commits)

            // An upload and its download: one slot iq each way, the bytes both ways, three
            // HTTP connections (PUT, GET, this scrape).
            let content = "metrics count these bytes"
            let slot = try await server.upload(content, by: alice)
            let download = try await server.get(slot.getTarget)
            #expect(download.status == 200)
            let transferred = try await server.scrape()
            #expect(transferred["salon_upload_bytes_total", ["direction": "in"]] == Double(content.utf8.count))
            #expect(transferred["salon_upload_bytes_total", ["direction": "out"]] == Double(content.utf8.count))
            let iq = ["kind": "iq"]
            #expect(transferred["salon_stanzas_received_total", iq]! - posted["salon_stanzas_received_total", iq]! == 1)
            #expect(transferred["salon_stanzas_sent_total", iq]! - posted["salon_stanzas_sent_total", iq]! == 1)
            let http = ["kind": "http"]
            #expect(transferred["salon_connections_accepted_total", http]! - posted["salon_connections_accepted_total", http]! == 3)
            #expect(try #require(transferred["salon_connections", ["kind": "http", "tls": "true"]]) >= 1)
            #expect(transferred["salon_connections", ["kind": "http", "tls": "false"]] == 0)

            // Nobody fell behind; the process is measured; the families have their types.
            #expect(transferred.sum("salon_slow_consumer_disconnects_total") == 0)
            #expect(try #require(transferred["process_cpu_seconds_total"]) > 0)
            #expect(try #require(transferred["process_resident_memory_bytes"]) > 1_000_000)
            #expect(transferred.types["salon_stanzas_sent_total"] == "counter")
            #expect(transferred.types["salon_connections"] == "gauge")
            #expect(transferred.types["salon_archive_commit_seconds"] == "histogram")
            #expect(transferred.types["process_cpu_seconds_total"] == "counter")
            await alice.close()
            await bob.close()
        }
    }

    @Test("A component's handshake is counted, and its connection as a component")
    func componentHandshake() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"]) { server async throws in
            let (wrong, refusal) = try await ComponentPeer.connect(port: server.ports.component!, domain: "bot.salon.test", secret: "guess")
            #expect(refusal == "not-authorized")
            await wrong.client.close()
            let (component, error) = try await ComponentPeer.connect(port: server.ports.component!, domain: "bot.salon.test", secret: "s3cret")
            #expect(error == nil)
            let scrape = try await server.scrape { $0["salon_connections", ["kind": "component", "tls": "false"]] == 1 }
            #expect(scrape["salon_authentications_total", ["mechanism": "component-handshake", "result": "success"]] == 1)
            #expect(scrape["salon_authentications_total", ["mechanism": "component-handshake", "result": "failure"]] == 1)
            #expect(scrape["salon_connections_accepted_total", ["kind": "component"]] == 2)
            await component.client.close()
        }
    }

    @Test("/health is 200 while serving and 503 once shutdown has begun")
    func health() async throws {
        let server = try await TestServer.start()
        let port = try #require(server.ports.http)
        let serving = try await HTTPTestClient.request(port: port, "GET", "/health")
        #expect(serving.status == 200)
        #expect(serving.text == "serving\n")
        // Work still pending holds the shutdown after /health has turned, before HTTP closes.
        let pending = try #require(server.server.context?.pendingWork)
        pending.begin()
        let stopping = Task { await server.stop() }
        var answer = try await HTTPTestClient.request(port: port, "GET", "/health")
        for _ in 0..<500 where answer.status == 200 {
            await Task.yield()
            answer = try await HTTPTestClient.request(port: port, "GET", "/health")
        }
        #expect(answer.status == 503)
        #expect(answer.text == "shutting down\n")
        pending.end()
        await stopping.value
        server.removeFiles()
    }

    @Test("/metrics is refused (403) to a peer metrics.allow does not name; /health still answers")
    func refusedPeer() async throws {
        let log = LogCapture()
        try await withServer(log: log, configure: { $0.metrics.allow = try! AddressAllowList(["10.0.0.0/8", "fd00::/8"]) }) { server async throws in
            let port = try #require(server.ports.http)
            let refused = try await HTTPTestClient.request(port: port, "GET", "/metrics")
            #expect(refused.status == 403)
            #expect(!refused.text.contains("salon_"))
            #expect(try await HTTPTestClient.request(port: port, "GET", "/health").status == 200)
            #expect(log.lines("metrics refused: peer not in metrics.allow").count == 1)
        }
    }

    @Test("metrics.allow 'any' serves every peer")
    func allowAny() async throws {
        try await withServer(configure: { $0.metrics.allow = try! AddressAllowList(["any"]) }) { server async throws in
            let scrape = try await server.scrape()
            #expect(scrape["salon_rooms_live"] == 0)
        }
    }
}

@Suite("Metrics: allow lists and /proc parsing")
struct MetricsPartsTests {
    @Test("Addresses and CIDR ranges, IPv4 and IPv6, mapped IPv4")
    func allowList() throws {
        let list = try AddressAllowList(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32", " 172.16.0.0/12 "])
        #expect(list.allows("10.200.3.4"))
        #expect(!list.allows("11.0.0.1"))
        #expect(list.allows("192.0.2.7"))
        #expect(!list.allows("192.0.2.8"))
        #expect(list.allows("172.31.255.255"))
        #expect(!list.allows("172.32.0.0"))
        #expect(list.allows("2001:db8:1::5"))
        #expect(!list.allows("2001:db9::1"))
        #expect(list.allows("::ffff:10.1.2.3"))
        #expect(!list.allows(nil))
        #expect(!list.allows("not an address"))
        #expect(AddressAllowList.loopback.allows("127.0.0.1"))
        #expect(AddressAllowList.loopback.allows("::1"))
        #expect(AddressAllowList.loopback.allows("::ffff:127.0.0.1"))
        #expect(!AddressAllowList.loopback.allows("192.168.1.1"))
        #expect(try AddressAllowList(["any"]).allows("203.0.113.9"))
        #expect(try AddressAllowList([]).allows("127.0.0.1") == false)
    }

    @Test("Bad allow-list entries are refused by name", arguments: ["10.0.0.0/33", "localhost", "10.0.0.0/", "::1/129", "10.0.0/8", ""])
    func badEntries(entry: String) {
        #expect(throws: AddressAllowListError.self) { try AddressAllowList([entry]) }
    }

    @Test("CPU seconds from /proc/self/stat, whatever the command name holds; RSS from statm")
    func procParsing() {
        let stat = "4242 (sal on) (x) S 1 4242 4242 0 -1 4194560 2000 0 0 0 250 150 0 0 20 0 9 0 100 1000000 300 18446744073709551615"
        #expect(ProcessStatistics.cpuSeconds(stat: stat, ticksPerSecond: 100) == 4.0)
        #expect(ProcessStatistics.cpuSeconds(stat: "garbage", ticksPerSecond: 100) == nil)
        #expect(ProcessStatistics.residentBytes(statm: "5000 1200 300 10 0 800 0\n", pageSize: 4096) == 1200 * 4096)
        #expect(ProcessStatistics.residentBytes(statm: "", pageSize: 4096) == nil)
        #expect(ProcessStatistics.exposition().contains("process_resident_memory_bytes "))
    }
}
