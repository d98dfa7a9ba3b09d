import Foundation
import PersistentChat
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing
import XMPPCore

/// Issue #20 over the wire: a server on PostgreSQL whose database goes away refuses posts with
/// service-unavailable (wait) instead of acknowledging them, and once the database is back the
/// room takes posts again; the archive then holds exactly what the room broadcast.
@Suite("The database going away under a server on PostgreSQL",
       .enabled(if: TestCluster.isEnabled,
                "SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster)"))
struct DatabaseOutageTests {
    @Test("Posts are refused while the database is gone, broadcast again once it is back; none refused then is archived")
    func postsDuringAnOutage() async throws {
        try await PrivateCluster.with { cluster async throws in
            var storage = try PostgresConfiguration(url: cluster.url)
            storage.operationTimeout = .seconds(1)
            try await withServer(configure: { $0.administration.storage = .postgresql(storage) }) { server async throws in
                try await server.addUser("alice")
                try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                    try d.createCategory(openCategory(), by: .system)
                    _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open), by: .system)
                }
                let alice = try await server.online("alice")
                try await alice.join("lobby", as: "Alice")
                alice.say("lobby", "before")
                #expect(try await alice.heard(in: "lobby").child("body", namespace: NS.client)?.text == "before")

                try cluster.halt()
                alice.say("lobby", "during")
                let refused = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
                #expect(errorCondition(refused) == "service-unavailable")
                #expect(refused.child("error", namespace: NS.client)?[attribute: "type"] == "wait")

                try cluster.resume()
                // The pool reconnects on its own schedule: post until the room takes one, bounded.
                var after: [String] = []
                let deadline = ContinuousClock.now + .seconds(90)
                while after.isEmpty {
                    let body = "after \(after.count)-\(UUID().uuidString.prefix(8))"
                    alice.say("lobby", body)
                    let answer = try await alice.expect(timeout: .seconds(30)) {
                        $0.name == "message" && ($0[attribute: "type"] == "error" || $0.child("body", namespace: NS.client)?.text == body)
                    }
                    if answer[attribute: "type"] == "error" {
                        #expect(errorCondition(answer) == "service-unavailable")
                        try #require(ContinuousClock.now < deadline, "the room never took a post after the database came back")
                        try await Task.sleep(for: .milliseconds(500))
                    } else {
                        after.append(body)
                    }
                }
                // A refused retry may still have committed (its answer timed out just after the
                // COMMIT): what was acknowledged must be there, what was refused while the
                // database was gone must not.
                let archived = try await server.archived("lobby").map(\.body)
                #expect(archived.first == "before")
                #expect(!archived.contains("during"))
                #expect(after.allSatisfy(archived.contains))
            }
        }
    }
}
