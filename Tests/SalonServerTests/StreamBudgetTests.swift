import Foundation
import NIOCore
import PersistentChat
import SalonClient
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing
import XMPPCore

/// The stream a bound session reads and writes through, from the server's side.
private func serverStream(_ server: TestServer, of client: XMPPClient) throws -> XMPPStream {
    try #require(server.server.context?.sessions.session(client.jid)).stream
}

@Suite("What one stream may cost the server is bounded in bytes")
struct StreamBudgetTests {
    @Test("A reader that stops is disconnected once its queued bytes pass the budget, however few stanzas that is")
    func slowReaderByteBudget() async throws {
        try await withServer(configure: {
            $0.limits.maxQueuedBytes = 1 << 20
            $0.limits.bytesPerSecond = 100 << 20
            $0.limits.burstBytes = 100 << 20
        }) { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await bob.channel.setOption(ChannelOptions.autoRead, value: false).get()
            let registry = try #require(server.server.context?.sessions)
            // A few dozen large stanzas (the old limit counted ten thousand stanzas of any size),
            // kept out of the personal archives: what is measured is bob's queue, not storage.
            var large = message(to: bob.jid.description, body: String(repeating: "x", count: 100_000))
            large.append(XMLElement("no-store", namespace: "urn:xmpp:hints"))
            var sent = 0
            while registry.session(bob.jid) != nil, sent < 200 {
                for _ in 0..<10 { alice.send(large) }
                sent += 10
                try await alice.ping()
            }
            #expect(registry.session(bob.jid) == nil, "bob still bound after \(sent) messages of 100 kB")
            #expect(sent < 200)
            try await alice.ping()
            #expect(try await server.scrape()["salon_slow_consumer_disconnects_total", ["reason": "unread_output"]] == 1)
        }
    }

    @Test("A MAM page of large messages ends early in bytes, and paging still reaches every message")
    func archivePageByteCap() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                _ = try d.createRoom(Room(localpart: "big", name: "Big", category: "Eng", privacy: .open), by: .system)
            }
            let body = String(repeating: "y", count: 60_000)
            let total = 40
            let writer = server.database.archiveWriter(commitObserver: nil)
            for index in 0..<total {
                _ = try await writer.append(StoredMessage(
                    room: "big", stanzaID: "big-\(index)", senderJID: "alice@salon.test", nick: "Alice", occupantID: "o",
                    timestamp: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)), body: body,
                    stanza: "<message xmlns='jabber:client' type='groupchat' from='big@\(chatDomain)/Alice'><body>\(body)</body></message>"))
            }
            let alice = try await server.online("alice")
            var (results, reply) = try await alice.archive("big@\(chatDomain)", max: 1000)
            #expect(!results.isEmpty && results.count < total, "one page held \(results.count) of \(total) large messages")
            #expect(!fin(reply).complete)
            var ids = resultIDs(results)
            while !fin(reply).complete, let last = fin(reply).last, ids.count <= total {
                (results, reply) = try await alice.archive("big@\(chatDomain)", max: 1000, after: last)
                ids += resultIDs(results)
            }
            #expect(ids == (0..<total).map { "big-\($0)" })
        }
    }

    @Test("The byte rate holds: bytes accepted in N seconds stay within rate × N plus the burst")
    func byteRate() async throws {
        let rate = 64 * 1024, burst = 64 * 1024
        try await withServer(configure: {
            $0.limits.bytesPerSecond = rate
            $0.limits.burstBytes = burst
        }) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            let stream = try serverStream(server, of: alice)
            // Whitespace between stanzas: bytes the server must read and may ignore.
            let chunk = [UInt8](repeating: 0x20, count: 16 * 1024)
            // What the login itself sent is not part of the measure.
            let baseline = try await stream.eventLoop.submit { stream.bytesReceived }.get()
            let start = ContinuousClock.now
            for _ in 0..<(rate * 40 / chunk.count) { alice.sendRaw(chunk) }
            try await Task.sleep(for: .seconds(5))
            let received = try await stream.eventLoop.submit { stream.bytesReceived }.get() - baseline
            let elapsed = Double((ContinuousClock.now - start).components.seconds) + Double((ContinuousClock.now - start).components.attoseconds) / 1e18
            // A load-independent bound: a slow machine only makes the server read less.
            // Reading resumes a read cycle at a time (a few 64 KiB reads), counted as debt after
            // they land: allow two cycles beyond the rate and the burst.
            let slack = 8 * 65_536
            let bound = Int(Double(rate) * elapsed) + burst + slack
            #expect(received <= bound, "read \(received) bytes in \(elapsed) s at \(rate) B/s (bound \(bound))")
            print("rate limit: \(received) bytes in \(String(format: "%.2f", elapsed)) s, \(Int(Double(received - burst) / elapsed)) B/s for a setting of \(rate)")
        }
    }
}

@Suite("Before authentication a stream may send little")
struct NegotiationBudgetTests {
    let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='salon.test' version='1.0'>"

    func negotiationError(_ payload: [UInt8], pieces: Int = 1) async throws -> String {
        var condition = ""
        try await withServer(requireTLS: false) { server async throws in
            let client = try await XMPPClient.open(server.options(.plain))
            client.sendRaw(header)
            _ = try await client.expect { $0.name == "features" }
            let size = (payload.count + pieces - 1) / pieces
            for start in stride(from: 0, to: payload.count, by: size) {
                client.sendRaw(Array(payload[start..<min(start + size, payload.count)]))
            }
            condition = try await client.expectStreamError()
        }
        return condition
    }

    @Test("A large element before authentication ends the stream, even in small pieces")
    func largeElement() async throws {
        let element = Array("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN' pad='\(String(repeating: "a", count: 20_000))'/>".utf8)
        #expect(try await negotiationError(element, pieces: 200) == "policy-violation")
    }

    @Test("Too many bytes before authentication end the stream")
    func negotiationBytes() async throws {
        #expect(try await negotiationError([UInt8](repeating: 0x20, count: 70_000)) == "policy-violation")
    }

    @Test("After authentication, stanzas up to the full size are accepted")
    func fullSizeAfterLogin() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            alice.send(message(to: alice.jid.description, body: String(repeating: "z", count: 100_000)))
            let echoed = try await alice.expect { $0.name == "message" }
            #expect(echoed.child("body", namespace: NS.client)?.text.count == 100_000)
        }
    }
}

@Suite("A closing stream takes no more stanzas; what was meant for it is kept")
struct ClosingStreamTests {
    @Test("A message for an offline account carrying <no-store/> is refused, not kept offline (XEP-0334)")
    func noStoreIsNotKeptOffline() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            var transient = message(to: "bob@\(TestServer.domain)", body: "only if you are here")
            transient.append(XMLElement("no-store", namespace: "urn:xmpp:hints"))
            alice.send(transient)
            let bounced = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(bounced) == "service-unavailable")
            alice.send(message(to: "bob@\(TestServer.domain)", body: "kept for later"))
            try await alice.ping()
            let bob = try await server.online("bob")
            let bodies = bob.unclaimed.compactMap { $0.child("body", namespace: NS.client)?.text }
            #expect(bodies == ["kept for later"])
        }
    }

    @Test("A 1:1 message that reaches a closing session goes to offline storage, not after </stream:stream>")
    func messageToClosingSession() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let registry = try #require(server.server.context?.sessions)
            let session = try #require(registry.session(bob.jid))
            // bob ends his stream but keeps the connection open: the server is now closing it.
            bob.sendRaw(XMLStreamHeader.closingTag)
            let deadline = ContinuousClock.now + .seconds(10)
            while registry.session(bob.jid) != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(registry.session(bob.jid) == nil, "the session is unbound as soon as the stream closes")
            // Ten messages routed to the session just before it closed arrive now.
            let late = (0..<10).map { "late \($0)" }
            Self.deliver(late, to: session)
            try await Self.handedBack(by: session)
            _ = try await bob.expectEnd()
            #expect(!bob.unclaimed.contains { $0.name == "message" }, "nothing is written after the stream's end")
            #expect(try await Self.offlineBodies(of: "bob", on: server, count: late.count) == late)
        }
    }

    /// Found by a test that failed on a loaded machine: once the connection was gone the stream
    /// had let go of its connection, so a message routed to the session just before reached a
    /// stream with no one to hand it back to, and was dropped.
    @Test("A 1:1 message that reaches a session whose connection is already gone goes to offline storage")
    func messageAfterDisconnect() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let registry = try #require(server.server.context?.sessions)
            let session = try #require(registry.session(bob.jid))
            bob.sendRaw(XMLStreamHeader.closingTag)
            _ = try await bob.expectEnd()
            try await session.stream.channel.closeFuture.get()
            try await session.stream.channel.eventLoop.submit {}.get()
            let after = (0..<5).map { "after \($0)" }
            Self.deliver(after, to: session)
            try await Self.handedBack(by: session)
            #expect(try await Self.offlineBodies(of: "bob", on: server, count: after.count) == after)
        }
    }

    /// Routes 1:1 messages from alice to `session` directly, as the router would have just before.
    private static func deliver(_ bodies: [String], to session: ClientSession) {
        for body in bodies {
            var stanza = message(to: session.jid.description, body: body)
            stanza[attribute: "from"] = "alice@salon.test/phone"
            session.deliver(stanza)
        }
    }

    /// Returns once the session's stream has handed back what was delivered to it (it runs on
    /// the stream's loop in order): the messages are then on their way to offline storage.
    private static func handedBack(by session: ClientSession) async throws {
        try await session.stream.channel.eventLoop.submit {}.get()
    }

    /// Logs `user` in again and reads the first `count` offline messages' bodies.
    private static func offlineBodies(of user: String, on server: TestServer, count: Int) async throws -> [String] {
        let again = try await server.login(user)
        again.send(XMLElement("presence", namespace: NS.client))
        var bodies: [String] = []
        for _ in 0..<count {
            let offline = try await again.expect { $0.name == "message" }
            bodies.append(offline.child("body", namespace: NS.client)?.text ?? "")
        }
        return bodies
    }

    @Test("At shutdown what was posted is archived and broadcast, never bounced as not stored")
    func shutdownDrains() async throws {
        let directory = ScratchDirectory.path("salon-test")
        var server = try await TestServer.start(directory: directory)
        try await server.addUser("alice")
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(), by: .system)
            _ = try d.createRoom(Room(localpart: "busy", name: "Busy", category: "Eng", privacy: .open), by: .system)
        }
        let alice = try await server.online("alice")
        try await alice.join("busy", as: "Alice")
        for index in 0..<300 { alice.say("busy", "post \(index)") }
        await server.stop()
        _ = try? await alice.expectEnd()
        let received = alice.unclaimed
        let errors = received.filter { $0.name == "message" && $0[attribute: "type"] == "error" }
        #expect(errors.isEmpty, "bounced: \(errors.first.map { $0.serialized() } ?? "")")
        let echoed = received.filter { $0.name == "message" && $0[attribute: "type"] == "groupchat" }.compactMap { $0.child("body", namespace: NS.client)?.text }
        server = try await TestServer.start(directory: directory)
        defer { server.removeFiles() }
        var query = ArchiveQuery(rooms: ["busy"])
        query.max = 1000
        let page = try await server.database.archive.query(query)
        let archived = page.messages.map(\.body)
        #expect(Array(archived.prefix(echoed.count)) == echoed, "every echoed post is archived, in order")
        #expect(echoed == (0..<echoed.count).map { "post \($0)" })
        await server.stop()
    }
}
