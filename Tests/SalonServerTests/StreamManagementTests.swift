import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Stream management (XEP-0198) over the wire")
struct StreamManagementTests {
    let domain = TestServer.domain
    let room = "design@\(chatDomain)"

    private func openRoom() -> Room {
        Room(localpart: "design", name: "Design", category: "Eng", privacy: .open)
    }

    @Test("<sm/> is a stream feature after authentication; enable before bind fails")
    func advertised() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let client = try await XMPPClient.open(server.options())
            let before = try await client.secureStream()
            #expect(before.child("sm", namespace: smNS) == nil)
            try await client.authenticate(features: before, username: "alice", password: "pw-alice")
            let after = try await client.openStream()
            #expect(after.child("sm", namespace: smNS) != nil)
            client.send(XMLElement("enable", namespace: smNS))
            let failed = try await client.expect { $0.namespace == smNS && $0.name == "failed" }
            #expect(failedCondition(failed) == "unexpected-request")
            try await client.bindResource(features: after)
            let enabled = try await client.enableStreamManagement(resume: false)
            #expect(enabled.name == "enabled" && enabled[attribute: "id"] == nil && enabled[attribute: "resume"] == nil)
            let again = try await client.enableStreamManagement(resume: false)
            #expect(again.name == "failed" && failedCondition(again) == "unexpected-request")
            await client.close()
        }
    }

    @Test("Acks both ways: the server asks after writing, answers <r/> with what it handled, and h counts exactly what was written")
    func acksAndCounts() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let enabled = try await alice.enableStreamManagement(resume: true, answersRequests: false)
            #expect(enabled[attribute: "resume"] == "true" && enabled[attribute: "max"] == "300")
            #expect((enabled[attribute: "id"]?.count ?? 0) >= 32)

            for index in 1...3 { bob.send(message(to: alice.jid.description, body: "m\(index)")) }
            for _ in 1...3 { _ = try await alice.bodyMessage(from: bob.jid.description) }
            _ = try await alice.expect { $0.namespace == smNS && $0.name == "r" }

            alice.send(message(to: bob.jid.description, body: "one"))
            alice.send(message(to: bob.jid.description, body: "two"))
            #expect(try await alice.serverHandled() == 2)

            try await alice.ping()
            #expect(alice.streamManagement.handled == 4)
            alice.acknowledge(4)
            try await alice.ping()
            let sent = alice.streamManagement.handled
            #expect(sent == 5)
            alice.acknowledge(sent + 1)
            let error = try await alice.streamError()
            #expect(error.child("undefined-condition", namespace: NS.streamErrors) != nil)
            let detail = try #require(error.child("handled-count-too-high", namespace: smNS))
            #expect(detail[attribute: "h"] == "\(sent + 1)" && detail[attribute: "send-count"] == "\(sent)")
        }
    }

    @Test("What an inactive client (XEP-0352) has held back is counted only once it is written")
    func countsWithClientState() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.enableStreamManagement(resume: false, answersRequests: false)
            try await alice.clientState(active: false)
            bob.directedPresence(to: alice.jid, status: "held")
            bob.send(message(to: alice.jid.description, body: "now"))
            _ = try await alice.bodyMessage(from: bob.jid.description)
            try await alice.ping()
            let whileInactive = alice.streamManagement.handled
            #expect(alice.presencesWaiting.isEmpty)

            try await alice.clientState(active: true)
            #expect(alice.presencesWaiting.count == 1)
            let afterFlush = alice.streamManagement.handled
            #expect(afterFlush == whileInactive + 2)
            alice.acknowledge(afterFlush + 1)
            let error = try await alice.streamError()
            #expect(error.child("handled-count-too-high", namespace: smNS)?[attribute: "send-count"] == "\(afterFlush)")
        }
    }

    @Test("A dropped occupant resumes under the room's traffic: nothing lost or repeated, still in the room, no leave seen")
    func resumeInRoom() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: openRoom())
            let enabled = try await alice.enableStreamManagement()
            let id = try #require(enabled[attribute: "id"])
            alice.say("design", "hi")
            _ = try await bob.heard(in: "design")
            for index in 1...5 { bob.say("design", "before \(index)") }
            for _ in 1...6 { _ = try await alice.heard(in: "design") }
            await alice.dropConnection()
            for index in 1...5 { bob.say("design", "after \(index)") }
            try await bob.roundTrip(with: "design")

            let (resumed, answer) = try await server.resume("alice", previd: id, h: alice.streamManagement.handled)
            #expect(answer.name == "resumed" && answer[attribute: "previd"] == id && answer[attribute: "h"] == "1")
            var heard: [String] = []
            for _ in 1...5 { heard.append(try await resumed.heard(in: "design").child("body", namespace: NS.client)?.text ?? "") }
            #expect(heard == (1...5).map { "after \($0)" })

            resumed.say("design", "back")
            let back = try await bob.expect { $0[attribute: "from"] == "\(room)/Alice" && $0.child("body", namespace: NS.client)?.text == "back" }
            #expect(back[attribute: "type"] == "groupchat")
            _ = try await resumed.heard(in: "design")
            try await resumed.roundTrip(with: "design")
            #expect(resumed.groupchatBodies.isEmpty)
            try await bob.roundTrip(with: "design")
            #expect(!bob.unclaimed.contains {
                $0.name == "presence" && $0[attribute: "from"] == "\(room)/Alice" && $0[attribute: "type"] == "unavailable"
            })
            #expect(try await resumed.serverHandled() == 3)
        }
    }

    @Test("A resumed session can be dropped and resumed again with the same id")
    func resumeTwice() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let id = try #require(try await alice.enableStreamManagement()[attribute: "id"])
            var current = alice
            for round in 1...2 {
                await current.dropConnection()
                bob.send(message(to: alice.jid.description, body: "round \(round)"))
                try await bob.ping()
                let (resumed, answer) = try await server.resume("alice", previd: id, h: current.streamManagement.handled)
                #expect(answer.name == "resumed")
                let got = try await resumed.bodyMessage(from: bob.jid.description)
                #expect(got.child("body", namespace: NS.client)?.text == "round \(round)")
                current = resumed
            }
            try await current.ping()
            #expect(!current.unclaimed.contains { $0.name == "message" })
        }
    }

    @Test("A message that waited for a detached session carries the time it arrived (XEP-0203)")
    func delayStamp() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let id = try #require(try await alice.enableStreamManagement()[attribute: "id"])
            await alice.dropConnection()
            try await log.waitFor("stream management: detached")
            bob.send(message(to: alice.jid.description, body: "waited"))
            try await bob.ping()
            let (resumed, answer) = try await server.resume("alice", previd: id, h: alice.streamManagement.handled)
            #expect(answer.name == "resumed")
            let waited = try await resumed.bodyMessage(from: bob.jid.description)
            #expect(waited.children("delay", namespace: NS.delay).map { $0[attribute: "from"] } == [domain])
            try await log.waitFor("stream management: resumed")
            let line = try #require(log.lines("stream management: resumed").first)
            #expect(line.contains("account=alice@\(domain)") && line.contains("queued=1"))
        }
    }

    @Test("An administrator ending a detached session ends it for good")
    func endedByAdministrator() async throws {
        let log = LogCapture()
        try await withServer(log: log) { server async throws in
            for name in ["root", "alice"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.addAdministrator("root@\(domain)", role: .server, by: .system)
            }
            let root = try await server.online("root")
            let alice = try await server.online("alice")
            let id = try #require(try await alice.enableStreamManagement()[attribute: "id"])
            await alice.dropConnection()
            try await log.waitFor("stream management: detached")
            let ended = try await root.runCommand("http://jabber.org/protocol/admin#end-user-session", at: domain,
                                                  [["accountjids": ["alice@\(domain)"]]])
            #expect(ended.note?.text == "Ended 1 sessions.")
            try await log.waitFor("stream management: session not resumed")
            #expect(log.lines("stream management: session not resumed").first?.contains("cause=ended by an administrator") == true)
            let (_, answer) = try await server.resume("alice", previd: id, h: 0)
            #expect(answer.name == "failed" && failedCondition(answer) == "item-not-found")
        }
    }

    @Test("Dropped while the room is talking: what the old connection got and what the new one gets are every post once, in order")
    func dropDuringTraffic() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: openRoom())
            let id = try #require(try await alice.enableStreamManagement()[attribute: "id"])
            let posts = (1...40).map { "post \($0)" }
            for post in posts.prefix(20) { bob.say("design", post) }
            _ = try await alice.expect { $0.child("body", namespace: NS.client)?.text == "post 1" }
            await alice.dropConnection()
            for post in posts.suffix(20) { bob.say("design", post) }
            try await bob.roundTrip(with: "design")
            // Everything the old connection received is counted in h, claimed or not.
            let before = ["post 1"] + alice.groupchatBodies
            let (resumed, answer) = try await server.resume("alice", previd: id, h: alice.streamManagement.handled)
            #expect(answer.name == "resumed")
            var after: [String] = []
            while before.count + after.count < posts.count {
                after.append(try await resumed.heard(in: "design").child("body", namespace: NS.client)?.text ?? "")
            }
            try await resumed.roundTrip(with: "design")
            #expect(before + after + resumed.groupchatBodies == posts)
        }
    }

    @Test("Resuming while the old connection is still open replaces it with a conflict")
    func resumeReplacesOpenStream() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let id = try #require(try await alice.enableStreamManagement()[attribute: "id"])
            let (resumed, answer) = try await server.resume("alice", previd: id, h: alice.streamManagement.handled)
            #expect(answer.name == "resumed")
            #expect(try await alice.expectStreamError() == "conflict")
            bob.send(message(to: alice.jid.description, body: "to the new stream"))
            _ = try await resumed.bodyMessage(from: bob.jid.description)
        }
    }

    @Test("Resumption fails for an unknown id and another account's id; the client may then bind")
    func resumeFailures() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let id = try #require(try await alice.enableStreamManagement()[attribute: "id"])

            let (stranger, unknown) = try await server.resume("alice", previd: "no-such-id", h: 0)
            #expect(unknown.name == "failed" && failedCondition(unknown) == "item-not-found")
            try await stranger.bindResource(features: XMLElement("features", namespace: NS.streams, children: [.element(XMLElement("bind", namespace: NS.bind))]))
            try await stranger.ping()

            let (bob, theirs) = try await server.resume("bob", previd: id, h: 0)
            #expect(theirs.name == "failed" && failedCondition(theirs) == "item-not-found")
            await bob.close()
            // Still alice's to resume.
            let (_, mine) = try await server.resume("alice", previd: id, h: alice.streamManagement.handled)
            #expect(mine.name == "resumed")
        }
    }

    @Test("A session never resumed ends like a logout: queued message offline, iq bounced, the room sees the leave, the id is expired")
    func timeout() async throws {
        try await withServer(configure: { $0.limits.smResumeTimeout = 1 }) { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: openRoom())
            let enabled = try await alice.enableStreamManagement()
            #expect(enabled[attribute: "max"] == "1")
            let id = try #require(enabled[attribute: "id"])
            let full = alice.jid.description
            await alice.dropConnection()
            bob.send(message(to: full, body: "while away"))
            let reply = try await bob.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": full],
                                                         children: [.element(XMLElement("ping", namespace: NS.ping))]))
            #expect(reply[attribute: "type"] == "error" && errorCondition(reply) == "service-unavailable")
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == "\(room)/Alice" && $0[attribute: "type"] == "unavailable" }

            let (_, expired) = try await server.resume("alice", previd: id, h: 0)
            #expect(expired.name == "failed" && failedCondition(expired) == "item-not-found" && expired[attribute: "h"] == "0")

            try await server.waitForOffline("alice", count: 1)
            let again = try await server.online("alice")
            let stored = try await again.bodyMessage(from: bob.jid.description)
            #expect(stored.child("body", namespace: NS.client)?.text == "while away")
        }
    }

    @Test("Unacknowledged stanzas over the limit close the stream; they go to offline storage, in order")
    func overflow() async throws {
        try await withServer(configure: { $0.limits.smUnackedStanzas = 5 }) { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.enableStreamManagement(answersRequests: false)
            for index in 1...8 { bob.send(message(to: alice.jid.description, body: "m\(index)")) }
            #expect(try await alice.expectStreamError() == "policy-violation")
            try await server.waitForOffline("alice", count: 8)
            #expect(try await server.scrape()["salon_slow_consumer_disconnects_total", ["reason": "unacknowledged_stanzas"]] == 1)
            let again = try await server.online("alice")
            var bodies: [String] = []
            for _ in 1...8 { bodies.append(try await again.bodyMessage(from: bob.jid.description).child("body", namespace: NS.client)?.text ?? "") }
            #expect(bodies == (1...8).map { "m\($0)" })
        }
    }

    @Test("A stream closed by the client with messages unacknowledged stores them offline")
    func cleanCloseUnacked() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.enableStreamManagement(answersRequests: false)
            bob.send(message(to: alice.jid.description, body: "unacked"))
            _ = try await alice.bodyMessage(from: bob.jid.description)
            await alice.close()
            try await server.waitForOffline("alice", count: 1)
        }
    }
}

extension LogCapture {
    /// Waits for a line the server logs about work it does in the background (noticing a
    /// dropped connection, ending a session), when no stanza shows it.
    func waitFor(_ message: String) async throws {
        for _ in 0..<500 where lines(message).isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !lines(message).isEmpty else { throw ClientError("no '\(message)' line") }
    }
}

extension TestServer {
    /// Waits until `name` has `count` offline messages: storing them is the server's own
    /// background work once a session ends, with no stanza to wait for.
    func waitForOffline(_ name: String, count: Int) async throws {
        for _ in 0..<500 {
            if try await database.offline.count(owner: "\(name)@\(Self.domain)") >= count { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ClientError("\(count) offline messages for \(name) never came")
    }
}
