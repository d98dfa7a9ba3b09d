import Foundation
import PersistentChat
import SalonClient
import SalonSecurity
@testable import SalonServer
import Testing
import XMPPCore

/// XEP-0363 for browsers (CORS), the upload deadline, and `members` mode for files shared 1:1.
@Suite("File upload: CORS, the request deadline, members mode for 1:1 files")
struct FileUploadEdgeTests {
    let domain = TestServer.domain

    @Test("CORS: a preflight on upload and download URLs is answered for any origin, without credentials; PUT and GET carry the headers")
    func cors() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let slot = try await alice.slot(filename: "a.txt", size: 4)
            for target in [slot.putTarget, slot.getTarget] {
                let preflight = try await HTTPTestClient.request(port: server.httpPort, "OPTIONS", target, headers: [
                    "Origin": "https://web.example", "Access-Control-Request-Method": "PUT",
                    "Access-Control-Request-Headers": "content-type",
                ])
                #expect((200..<300).contains(preflight.status), "\(target): \(preflight.status)")
                #expect(preflight.header("Access-Control-Allow-Origin") == "*")
                let methods = Set(preflight.header("Access-Control-Allow-Methods")?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? [])
                #expect(methods.isSuperset(of: ["PUT", "GET", "HEAD"]))
                let headers = preflight.header("Access-Control-Allow-Headers")?.lowercased() ?? ""
                #expect(headers.contains("content-type") && headers.contains("content-length") && headers.contains("authorization"))
                #expect(preflight.header("Access-Control-Allow-Credentials") == nil)
            }
            let put = try await HTTPTestClient.request(port: server.httpPort, "PUT", slot.putTarget,
                                                       headers: ["Content-Type": "text/plain", "Origin": "https://web.example"],
                                                       body: Array("abcd".utf8))
            #expect(put.status == 201)
            #expect(put.header("Access-Control-Allow-Origin") == "*")
            let get = try await server.get(slot.getTarget, headers: ["Origin": "https://web.example"])
            #expect(get.text == "abcd")
            #expect(get.header("Access-Control-Allow-Origin") == "*")
            #expect(get.header("Access-Control-Expose-Headers")?.contains("Content-Range") == true)
            // Without an Origin (not a browser), no CORS headers.
            #expect(try await server.get(slot.getTarget).header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test("An upload still arriving at http.request_timeout is cut with 408, its partial file removed, the slot usable again; unfinished headers too")
    func uploadDeadline() async throws {
        let log = LogCapture()
        // The idle timeout is far away: only the deadline can end this upload.
        try await withServer(log: log, configure: { $0.http.requestTimeout = 1; $0.http.idleTimeout = 3600 }) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let slot = try await alice.slot(filename: "slow.txt", size: 100)
            // No `Connection: close`: the server must close the connection itself.
            let head = "PUT \(slot.putTarget) HTTP/1.1\r\nHost: salon.test\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
            let answer = HTTPTestClient.parse(try await HTTPTestClient.exchange(port: server.httpPort, Array(head.utf8) + [UInt8](repeating: 65, count: 10)))
            #expect(answer.status == 408)
            #expect(try FileManager.default.contentsOfDirectory(atPath: server.directory + "/data/files/partial").isEmpty)
            #expect(log.lines("upload refused").contains { $0.contains("account=alice@\(domain)") && $0.contains("longer than the server allows") })
            #expect(try await server.put(slot, [UInt8](repeating: 66, count: 100)).status == 201)
            #expect(try await server.get(slot.getTarget).body == [UInt8](repeating: 66, count: 100))
            // Headers that never end are cut at the deadline too: the connection closes unanswered.
            let unfinished = "PUT \(slot.putTarget) HTTP/1.1\r\nHost: salon.test\r\nX-Slow: "
            #expect(try await HTTPTestClient.exchange(port: server.httpPort, Array(unfinished.utf8)).isEmpty)
        }
    }

    @Test("The request deadline starts once TLS is up: a client slow to start its handshake still has the whole deadline for its request")
    func deadlineAfterHandshake() async throws {
        try await withServer(configure: { $0.http.requestTimeout = 1; $0.http.idleTimeout = 3600 }) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let slot = try await alice.slot(filename: "late.txt", size: 4)
            let put = Array("PUT \(slot.putTarget) HTTP/1.1\r\nHost: salon.test\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: close\r\n\r\nlate".utf8)
            let answer = try await HTTPExchange.send(port: server.httpPort, serverName: "salon.test", put, beforeTLS: {
                // Connected before this second connection, whose unfinished headers are cut at
                // its deadline: a deadline counted from the first connection's start has passed too.
                let unfinished = "PUT \(slot.putTarget) HTTP/1.1\r\nHost: salon.test\r\nX-Slow: "
                let cut = try await HTTPTestClient.exchange(port: server.httpPort, Array(unfinished.utf8))
                #expect(cut.isEmpty)
            })
            #expect(HTTPTestClient.parse(answer).status == 201)
            #expect(try await server.get(slot.getTarget).text == "late")
        }
    }

    @Test("members mode: a file never posted in a room is served to accounts of this domain only, with their password")
    func membersModeOneToOne() async throws {
        try await withServer(configure: { $0.http.upload.downloadMode = .members }) { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let slot = try await server.upload("for bob", by: alice)
            func basic(_ user: String, _ password: String) -> [String: String] {
                ["Authorization": "Basic " + Base64.encode(Array("\(user):\(password)".utf8))]
            }
            let anonymous = try await server.get(slot.getTarget)
            #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
            #expect(try await server.get(slot.getTarget, headers: basic("bob", "wrong")).status == 401)
            #expect(try await server.get(slot.getTarget, headers: basic("eve@elsewhere.example", "pw")).status == 401)
            #expect(try await server.get(slot.getTarget, headers: basic("bob", "pw-bob")).text == "for bob")
            #expect(try await server.get(slot.getTarget, headers: basic("alice", "pw-alice"), method: "HEAD").status == 200)
        }
    }
}
