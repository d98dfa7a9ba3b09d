import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// The hostile-client corpus (#18): each row is an attack and the error it must get; after
/// it, in the same server, a well-behaved client logs in, pings, joins the room and is heard
/// by the bystander, which proves the server stayed healthy for everyone else.
@Suite("Hostile-client corpus: each attack gets its error and the server stays healthy for others")
struct HostileClientCorpusTests {
    @Test(arguments: HostileRow.streamRows + HostileRow.stanzaRows + HostileRow.roomRows)
    func attack(_ row: HostileRow) async throws {
        try await withServer(components: [HostileScene.component: HostileScene.componentSecret], configure: row.configure) { server async throws in
            for name in ["alice", "bob", "mallory"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(creators: [server.user("mallory")]), by: .system)
                _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open), by: .system)
            }
            let alice = try await server.online("alice")
            try await alice.join("lobby", as: "Alice")
            let mallory = try await server.online("mallory")
            try await row.attack(HostileScene(server: server, alice: alice, mallory: mallory))
            try await Self.expectHealthy(server, bystander: alice)
        }
    }

    /// A new client logs in, pings, joins the lobby and says something the bystander hears.
    static func expectHealthy(_ server: TestServer, bystander alice: XMPPClient) async throws {
        let bob = try await server.online("bob")
        try await bob.ping()
        let joined = try await bob.join("lobby", as: "Bob")
        #expect(joined[attribute: "type"] != "error")
        bob.say("lobby", "still here")
        let heard = try await alice.expect {
            $0.name == "message" && $0[attribute: "from"] == "lobby@\(chatDomain)/Bob" && $0.child("body", namespace: NS.client)?.text == "still here"
        }
        #expect(heard[attribute: "type"] == "groupchat")
        try await alice.ping()
    }
}

/// One attack: a name for the report, the server's configuration, and what is sent and expected.
struct HostileRow: Sendable, CustomTestStringConvertible {
    let name: String
    var configure: @Sendable (inout ServerConfiguration) -> Void = { _ in }
    let attack: @Sendable (HostileScene) async throws -> Void

    var testDescription: String { name }

    init(_ name: String, configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in },
         _ attack: @escaping @Sendable (HostileScene) async throws -> Void) {
        self.name = name
        self.configure = configure
        self.attack = attack
    }
}

/// What a row plays on: alice in the open room `lobby` (the bystander), mallory logged in and
/// available (the attacker, a Creator of the room's category), a component domain configured.
struct HostileScene: Sendable {
    static let component = "bot.salon.test"
    static let componentSecret = "s3cret"
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='salon.test' version='1.0'>"

    let server: TestServer
    let alice: XMPPClient
    let mallory: XMPPClient
    var domain: String { TestServer.domain }
    var lobby: String { "lobby@\(chatDomain)" }

    /// Mallory sends `bytes` on its authenticated stream; returns the stream error it gets.
    func malloryStreamError(_ bytes: [UInt8]) async throws -> String {
        mallory.sendRaw(bytes)
        let condition = try await mallory.expectStreamError()
        _ = try await mallory.expectEnd()
        return condition
    }

    func malloryStreamError(_ text: String) async throws -> String {
        try await malloryStreamError(Array(text.utf8))
    }

    /// A fresh unauthenticated connection sends `payload` (after a stream header unless
    /// `payload` brings its own); returns the stream error.
    func unauthenticatedStreamError(_ payload: String, withHeader: Bool = true) async throws -> String {
        let client = try await XMPPClient.open(server.options(.plain))
        if withHeader {
            client.sendRaw(Self.header)
            _ = try await client.expect { $0.name == "features" }
        }
        client.sendRaw(payload)
        let condition = try await client.expectStreamError()
        _ = try await client.expectEnd()
        return condition
    }

    /// Mallory's iq, answered.
    func malloryIQ(_ xml: String) async throws -> XMLElement {
        let id = mallory.nextID()
        mallory.sendRaw(xml.replacingOccurrences(of: "ID", with: id))
        return try await mallory.expect { $0.name == "iq" && $0[attribute: "id"] == id }
    }

    /// Nothing arrived for mallory but what it asked for: after a ping, no error waits.
    func malloryGotNoErrors() async throws {
        try await mallory.ping()
        #expect(!mallory.unclaimed.contains { $0[attribute: "type"] == "error" }, "\(mallory.unclaimed)")
    }
}

extension HostileRow {
    /// Attacks on the XML stream itself: each ends the attacker's stream with its condition.
    static let streamRows: [HostileRow] = [
        HostileRow("billion laughs (entity expansion in a DTD) → restricted-xml") { (scene: HostileScene) async throws in
            var entities = "<!ENTITY lol0 'lol'>"
            for level in 1...9 { entities += "<!ENTITY lol\(level) '" + String(repeating: "&lol\(level - 1);", count: 10) + "'>" }
            let bomb = "<?xml version='1.0'?><!DOCTYPE lolz [\(entities)]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='salon.test' version='1.0'><message><body>&lol9;</body></message>"
            #expect(try await scene.unauthenticatedStreamError(bomb, withHeader: false) == "restricted-xml")
        },
        HostileRow("external entity (XXE) in a DTD → restricted-xml; an undeclared entity in a stanza → not-well-formed") { (scene: HostileScene) async throws in
            let xxe = "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='salon.test' version='1.0'>"
            #expect(try await scene.unauthenticatedStreamError(xxe, withHeader: false) == "restricted-xml")
            #expect(try await scene.malloryStreamError("<message to='alice@salon.test'><body>&xxe;</body></message>") == "not-well-formed")
        },
        HostileRow("a DTD in the middle of a stream → not-well-formed") { (scene: HostileScene) async throws in
            #expect(try await scene.malloryStreamError("<!DOCTYPE x [<!ENTITY a 'b'>]><message/>") == "not-well-formed")
        },
        HostileRow("deep nesting (10,000 open elements) → policy-violation") { (scene: HostileScene) async throws in
            #expect(try await scene.malloryStreamError("<message to='alice@salon.test'>" + String(repeating: "<a>", count: 10_000)) == "policy-violation")
        },
        HostileRow("one huge attribute (1 MiB, never closed) → policy-violation") { (scene: HostileScene) async throws in
            #expect(try await scene.malloryStreamError("<message to='alice@salon.test' x='" + String(repeating: "A", count: 1 << 20)) == "policy-violation")
        },
        HostileRow("10,000 attributes on one element → policy-violation") { (scene: HostileScene) async throws in
            let attributes = (0..<10_000).map { " a\($0)='x'" }.joined()
            #expect(try await scene.malloryStreamError("<message to='alice@salon.test'\(attributes)><body>hi</body></message>") == "policy-violation")
        },
        HostileRow("namespace prefix flood (10,000 declarations) → policy-violation") { (scene: HostileScene) async throws in
            let declarations = (0..<10_000).map { " xmlns:p\($0)='urn:p\($0)'" }.joined()
            #expect(try await scene.malloryStreamError("<message to='alice@salon.test'\(declarations)><body>hi</body></message>") == "policy-violation")
        },
        HostileRow("an undeclared prefix → bad-namespace-prefix") { (scene: HostileScene) async throws in
            #expect(try await scene.malloryStreamError("<message to='alice@salon.test'><p:body>hi</p:body></message>") == "bad-namespace-prefix")
        },
        HostileRow("invalid UTF-8 (0xFF 0xFE) → not-well-formed") { (scene: HostileScene) async throws in
            let bytes = Array("<message to='alice@salon.test'><body>".utf8) + [0xFF, 0xFE] + Array("</body></message>".utf8)
            #expect(try await scene.malloryStreamError(bytes) == "not-well-formed")
        },
        HostileRow("overlong UTF-8 ('/' as 0xC0 0xAF) → not-well-formed") { (scene: HostileScene) async throws in
            let bytes = Array("<message to='alice@salon.test'><body>".utf8) + [0xC0, 0xAF] + Array("</body></message>".utf8)
            #expect(try await scene.malloryStreamError(bytes) == "not-well-formed")
        },
        HostileRow("a UTF-16 surrogate encoded in UTF-8 (0xED 0xA0 0x80) → not-well-formed") { (scene: HostileScene) async throws in
            let bytes = Array("<message to='alice@salon.test'><body>".utf8) + [0xED, 0xA0, 0x80] + Array("</body></message>".utf8)
            #expect(try await scene.malloryStreamError(bytes) == "not-well-formed")
        },
        HostileRow("a NUL byte → not-well-formed") { (scene: HostileScene) async throws in
            let bytes = Array("<message to='alice@salon.test'><body>a".utf8) + [0] + Array("b</body></message>".utf8)
            #expect(try await scene.malloryStreamError(bytes) == "not-well-formed")
        },
        HostileRow("a control character (U+0001) → not-well-formed") { (scene: HostileScene) async throws in
            #expect(try await scene.malloryStreamError("<message to='alice@salon.test'><body>a\u{01}b</body></message>") == "not-well-formed")
        },
        HostileRow("a character reference to NUL (&#0;) → not-well-formed") { (scene: HostileScene) async throws in
            #expect(try await scene.malloryStreamError("<message to='alice@salon.test'><body>a&#0;b</body></message>") == "not-well-formed")
        },
        HostileRow("stanzas before authentication → not-authorized") { (scene: HostileScene) async throws in
            #expect(try await scene.unauthenticatedStreamError("<iq type='get' id='p1' to='salon.test'><ping xmlns='urn:xmpp:ping'/></iq>") == "not-authorized")
            #expect(try await scene.unauthenticatedStreamError("<presence to='lobby@chat.salon.test/Ghost'/>") == "not-authorized")
        },
    ]

    /// Attacks with well-formed stanzas: each gets its stanza error (or is dropped) and the
    /// attacker's stream goes on.
    static let stanzaRows: [HostileRow] = [
        HostileRow("UTF-8 split across TLS records → delivered intact") { (scene: HostileScene) async throws in
            let message = Array("<message to='alice@salon.test' type='chat'><body>é€😀</body></message>".utf8)
            let split = message.firstIndex(of: 0xE2)! + 1
            // Each raw send is its own TLS record, the first ending inside "€". The ping's answer
            // proves the server has read the whole first record before the second is sent.
            let ping = Array("<iq type='get' id='split' to='salon.test'><ping xmlns='urn:xmpp:ping'/></iq>".utf8)
            scene.mallory.sendRaw(ping + message[..<split])
            _ = try await scene.mallory.expect { $0.name == "iq" && $0[attribute: "id"] == "split" }
            scene.mallory.sendRaw(Array(message[split...]))
            let received = try await scene.alice.expect { $0.name == "message" && $0[attribute: "type"] == "chat" }
            #expect(received.child("body", namespace: NS.client)?.text == "é€😀")
        },
        HostileRow("iq results and errors nobody asked for → dropped, never answered") { (scene: HostileScene) async throws in
            for to in ["salon.test", "alice@salon.test", "lobby@chat.salon.test", "chat.salon.test", "upload.salon.test", "nobody@salon.test"] {
                scene.mallory.sendRaw("<iq type='result' id='forged-\(to)' to='\(to)'/>")
                scene.mallory.sendRaw("<iq type='error' id='forged-e-\(to)' to='\(to)'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
            }
            try await scene.malloryGotNoErrors()
            try await scene.alice.ping()
            #expect(!scene.alice.unclaimed.contains { $0.name == "iq" && $0[attribute: "id"]?.hasPrefix("forged") == true })
        },
        HostileRow("spoofed from on a client stream → stamped with the sender's real JID") { (scene: HostileScene) async throws in
            scene.mallory.sendRaw("<message from='bob@salon.test/phone' to='alice@salon.test' type='chat'><body>it is bob</body></message>")
            let received = try await scene.alice.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "it is bob" }
            #expect(received[attribute: "from"] == scene.mallory.jid.description)
        },
        HostileRow("spoofed from on a component stream → invalid-from; its own domain still works") { (scene: HostileScene) async throws in
            let (component, error) = try await ComponentPeer.connect(port: scene.server.ports.component!, domain: HostileScene.component,
                                                                     secret: HostileScene.componentSecret)
            #expect(error == nil)
            component.send("<message from='bob@salon.test' to='alice@salon.test' type='chat'><body>spoofed</body></message>")
            #expect(try await component.client.expectStreamError() == "invalid-from")
            let (again, _) = try await ComponentPeer.connect(port: scene.server.ports.component!, domain: HostileScene.component,
                                                             secret: HostileScene.componentSecret)
            again.send("<message from='helper@\(HostileScene.component)' to='alice@salon.test' type='chat'><body>honest</body></message>")
            let received = try await scene.alice.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "honest" }
            #expect(received[attribute: "from"] == "helper@\(HostileScene.component)")
        },
        HostileRow("a JID part over 1023 bytes in to → jid-malformed") { (scene: HostileScene) async throws in
            for to in [String(repeating: "a", count: 2000) + "@salon.test", "alice@salon.test/" + String(repeating: "r", count: 2000),
                       "alice@" + String(repeating: "d", count: 2000)] {
                scene.mallory.sendRaw("<message to='\(to)' type='chat' id='long'><body>x</body></message>")
                let error = try await scene.mallory.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
                #expect(errorCondition(error) == "jid-malformed")
            }
        },
        HostileRow("iq without an id, or with no payload, or two → bad-request") { (scene: HostileScene) async throws in
            for iq in ["<iq type='get' to='salon.test' id='ID'/>",
                       "<iq type='get' to='salon.test' id='ID'><ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/></iq>"] {
                let answer = try await scene.malloryIQ(iq)
                #expect(errorCondition(answer) == "bad-request", "\(iq): \(answer)")
            }
            scene.mallory.sendRaw("<iq type='get' to='salon.test'><ping xmlns='urn:xmpp:ping'/></iq>")
            let noID = try await scene.mallory.expect { $0.name == "iq" && $0[attribute: "type"] == "error" && $0[attribute: "id"] == nil }
            #expect(errorCondition(noID) == "bad-request")
        },
        HostileRow("stanzas of an unknown type: iq and presence → bad-request; a message is handled as normal (RFC 6121 §5.2.2)") { (scene: HostileScene) async throws in
            let iq = try await scene.malloryIQ("<iq type='bogus' to='salon.test' id='ID'><ping xmlns='urn:xmpp:ping'/></iq>")
            #expect(errorCondition(iq) == "bad-request")
            scene.mallory.sendRaw("<presence type='bogus' id='p-bogus' to='alice@salon.test'/>")
            scene.mallory.sendRaw("<presence type='bogus' id='p-bogus-room' to='lobby@chat.salon.test/Mallory'/>")
            try await scene.mallory.ping()
            let presenceErrors = scene.mallory.unclaimed.filter { $0.name == "presence" && $0[attribute: "type"] == "error" }
            #expect(presenceErrors.count == 2 && presenceErrors.allSatisfy { errorCondition($0) == "bad-request" }, "\(presenceErrors)")
            scene.mallory.sendRaw("<message type='bogus' to='alice@salon.test' id='t1'><body>odd type</body></message>")
            let received = try await scene.alice.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "odd type" }
            #expect(received[attribute: "from"] == scene.mallory.jid.description)
        },
        HostileRow("a second stream header inside an open stream → a stream error") { (scene: HostileScene) async throws in
            let condition = try await scene.malloryStreamError(HostileScene.header)
            #expect(["unsupported-stanza-type", "not-well-formed", "bad-format", "restricted-xml"].contains(condition), "\(condition)")
        },
        HostileRow("a nickname over 1023 bytes, or empty, or only spaces → jid-malformed or not-acceptable") { (scene: HostileScene) async throws in
            for nick in [String(repeating: "n", count: 2000), "", "   "] {
                scene.mallory.sendRaw("<presence id='nick' to='lobby@chat.salon.test/\(nick)'><x xmlns='http://jabber.org/protocol/muc'/></presence>")
                let refused = try await scene.mallory.expect { $0.name == "presence" && $0[attribute: "type"] == "error" }
                #expect(["jid-malformed", "not-acceptable"].contains(errorCondition(refused) ?? "none"), "nick '\(nick.prefix(8))': \(refused)")
            }
            try await scene.alice.roundTrip(with: "lobby")
            #expect(!scene.alice.unclaimed.contains { $0.name == "presence" && $0[attribute: "type"] == nil
                && $0[attribute: "from"]?.hasPrefix("lobby@chat.salon.test/") == true && $0[attribute: "from"] != "lobby@chat.salon.test/Alice" })
        },
        HostileRow("directed presence to more addresses than limits.directed_presences → resource-constraint",
                   configure: { $0.limits.directedPresences = 20 }) { (scene: HostileScene) async throws in
            let limit = 20
            for index in 0..<(limit + 5) { scene.mallory.sendRaw("<presence to='ghost\(index)@salon.test'/>") }
            try await scene.mallory.ping()
            let refused = scene.mallory.unclaimed.filter { $0.name == "presence" && $0[attribute: "type"] == "error" }
            #expect(refused.count == 5 && refused.allSatisfy { errorCondition($0) == "resource-constraint" }, "\(refused.count)")
            // A presence to an address already remembered still goes, as does leaving it.
            scene.mallory.sendRaw("<presence to='ghost0@salon.test'/><presence type='unavailable' to='ghost1@salon.test'/><presence to='ghost-new@salon.test'/>")
            try await scene.mallory.ping()
            #expect(scene.mallory.unclaimed.filter { $0.name == "presence" && $0[attribute: "type"] == "error" }.count == 5)
        },
        HostileRow("upload slot requests in a flood → resource-constraint past the slot rate",
                   configure: { $0.http.upload.slotBurst = 3; $0.http.upload.slotsPerMinute = 1 }) { (scene: HostileScene) async throws in
            var refused = 0
            for index in 0..<10 {
                let answer = try await scene.mallory.slotRequest(filename: "f\(index).txt", size: 10)
                if answer[attribute: "type"] == "error" {
                    #expect(errorCondition(answer) == "resource-constraint")
                    refused += 1
                }
            }
            #expect(refused >= 6)
        },
        HostileRow("MAM filters: impossible dates → bad-request, a malformed with → jid-malformed, start after end → an empty page") { (scene: HostileScene) async throws in
            let cases: [([String: [String]], String?)] = [
                (["start": ["not a date"]], "bad-request"),
                (["end": ["9999999-99-99T99:99:99Z"]], "bad-request"),
                (["with": ["a@b@c"]], "jid-malformed"),
                (["start": ["2030-01-01T00:00:00Z"], "end": ["2020-01-01T00:00:00Z"]], nil),
            ]
            for (fields, expected) in cases {
                let (results, reply) = try await scene.mallory.archive(scene.lobby, fields: fields)
                #expect(errorCondition(reply) == expected, "\(fields): \(reply)")
                #expect(results.isEmpty)
            }
        },
        HostileRow("a roster set with 100,000 items → policy-violation (stanza size)") { (scene: HostileScene) async throws in
            let items = (0..<100_000).map { "<item jid='c\($0)@salon.test'/>" }.joined()
            #expect(try await scene.malloryStreamError("<iq type='set' id='r1'><query xmlns='jabber:iq:roster'>\(items)</query></iq>") == "policy-violation")
        },
        HostileRow("a roster set with several items → bad-request", { (scene: HostileScene) async throws in
            let answer = try await scene.malloryIQ("<iq type='set' id='ID'><query xmlns='jabber:iq:roster'><item jid='a@salon.test'/><item jid='b@salon.test'/></query></iq>")
            #expect(errorCondition(answer) == "bad-request")
        }),
        HostileRow("a roster filled past limits.max_roster_items → not-allowed", configure: { $0.limits.maxRosterItems = 20 }) { (scene: HostileScene) async throws in
            var refused = 0
            for index in 0..<30 {
                let answer = try await scene.malloryIQ("<iq type='set' id='ID'><query xmlns='jabber:iq:roster'><item jid='c\(index)@salon.test'/></query></iq>")
                if answer[attribute: "type"] == "error" {
                    #expect(errorCondition(answer) == "not-allowed")
                    refused += 1
                }
            }
            #expect(refused == 10)
        },
        HostileRow("ad-hoc sessions opened and never finished → the oldest expire, new ones still start") { (scene: HostileScene) async throws in
            var sessions: [String] = []
            for _ in 0..<(AdHocCommands.maxSessionsPerUser + 10) {
                let answer = try await scene.malloryIQ("<iq type='set' id='ID' to='chat.salon.test'><command xmlns='http://jabber.org/protocol/commands' node='search' action='execute'/></iq>")
                let command = answer.child("command", namespace: commandsNS)
                #expect(command?[attribute: "status"] == "executing")
                if let session = command?[attribute: "sessionid"] { sessions.append(session) }
            }
            #expect(sessions.count == AdHocCommands.maxSessionsPerUser + 10)
            let stale = try await scene.malloryIQ("<iq type='set' id='ID' to='chat.salon.test'><command xmlns='http://jabber.org/protocol/commands' node='search' sessionid='\(sessions[0])' action='cancel'/></iq>")
            #expect(errorCondition(stale) == "bad-request")
            let forged = try await scene.malloryIQ("<iq type='set' id='ID' to='chat.salon.test'><command xmlns='http://jabber.org/protocol/commands' node='search' sessionid='\(String(repeating: "x", count: 5000))' action='next'/></iq>")
            #expect(errorCondition(forged) == "bad-request")
        },
    ]

    /// Attacks on rooms and their archive.
    static let roomRows: [HostileRow] = [
        HostileRow("presence flood into a room → policy-violation past the burst, not broadcast",
                   configure: { $0.limits.roomPresencePerMinute = 1 }) { (scene: HostileScene) async throws in
            try await scene.mallory.join("lobby", as: "Mallory")
            for index in 0..<200 {
                scene.mallory.sendRaw("<presence to='lobby@chat.salon.test/Mallory'><status>\(index)</status></presence>")
            }
            try await scene.mallory.roundTrip(with: "lobby")
            let refused = scene.mallory.unclaimed.filter { $0.name == "presence" && $0[attribute: "type"] == "error" }
            #expect(!refused.isEmpty)
            #expect(refused.allSatisfy { errorCondition($0) == "policy-violation" })
            try await scene.alice.roundTrip(with: "lobby")
            let relayed = scene.alice.unclaimed.filter { $0.name == "presence" && $0[attribute: "from"] == "lobby@chat.salon.test/Mallory" }
            #expect(relayed.count < 50, "\(relayed.count) updates relayed")
        },
        HostileRow("nick changes in a loop → refused past the burst", configure: { $0.limits.roomNickChangesPerMinute = 1 }) { (scene: HostileScene) async throws in
            try await scene.mallory.join("lobby", as: "Mallory")
            for index in 0..<50 { scene.mallory.sendRaw("<presence to='lobby@chat.salon.test/M\(index)'/>") }
            try await scene.mallory.roundTrip(with: "lobby")
            let refused = scene.mallory.unclaimed.filter { $0.name == "presence" && $0[attribute: "type"] == "error" }
            #expect(refused.count > 25)
            #expect(refused.allSatisfy { errorCondition($0) == "policy-violation" || errorCondition($0) == "not-acceptable" })
            try await scene.alice.roundTrip(with: "lobby")
            let changes = scene.alice.unclaimed.filter { statusCodes($0).contains(303) }
            #expect(changes.count < 25, "\(changes.count) nick changes relayed")
        },
        HostileRow("rooms created by one Creator past MaxRoomsPerCreator → not-allowed") { (scene: HostileScene) async throws in
            try await scene.server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.updateSettings([(.maxRoomsPerCreator, "3")], by: .system)
            }
            var refused = 0
            for index in 0..<10 {
                let answer = try await scene.mallory.createRoomByJoining("flood\(index)", name: "Flood \(index)")
                if answer[attribute: "type"] == "error" {
                    #expect(errorCondition(answer) == "not-allowed")
                    refused += 1
                }
            }
            #expect(refused == 7)
        },
        HostileRow("rooms joined into existence and never configured → not-allowed past limits.locked_rooms_per_user",
                   configure: { $0.limits.lockedRoomsPerUser = 3 }) { (scene: HostileScene) async throws in
            var refused = 0
            for index in 0..<20 {
                let answer = try await scene.mallory.join("locked\(index)", as: "Creator")
                if answer[attribute: "type"] == "error" {
                    #expect(errorCondition(answer) == "not-allowed")
                    refused += 1
                }
            }
            #expect(refused == 17)
            // Leaving a locked room gives its place back.
            scene.mallory.sendRaw("<presence type='unavailable' to='locked0@chat.salon.test/Creator'/>")
            _ = try await scene.mallory.expect { $0.name == "presence" && $0[attribute: "from"] == "locked0@chat.salon.test/Creator" && $0[attribute: "type"] == "unavailable" }
            #expect(try await scene.mallory.join("locked19", as: "Creator")[attribute: "type"] != "error")
        },
        HostileRow("MAM with max 1,000,000 → a bounded page") { (scene: HostileScene) async throws in
            for index in 0..<3 { scene.alice.say("lobby", "m\(index)") }
            try await scene.alice.roundTrip(with: "lobby")
            let (results, reply) = try await scene.mallory.archive(scene.lobby, max: 1_000_000)
            #expect(reply[attribute: "type"] == "result")
            #expect(bodies(results) == ["m0", "m1", "m2"])
            #expect(fin(reply).complete)
        },
        HostileRow("RSM with forged ids and values → item-not-found or bad-request") { (scene: HostileScene) async throws in
            scene.alice.say("lobby", "one")
            try await scene.alice.roundTrip(with: "lobby")
            for after in ["forged", "1", "-1", "'; DROP TABLE messages; --", String(repeating: "9", count: 4000)] {
                let (_, reply) = try await scene.mallory.archive(scene.lobby, after: after)
                #expect(["item-not-found", "bad-request"].contains(errorCondition(reply) ?? "none"), "after \(after): \(reply)")
            }
            let (_, before) = try await scene.mallory.archive(scene.lobby, before: "forged")
            #expect(["item-not-found", "bad-request"].contains(errorCondition(before) ?? "none"))
            for max in ["-1", "abc", "99999999999999999999999"] {
                let answer = try await scene.malloryIQ("<iq type='set' id='ID' to='lobby@chat.salon.test'><query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><max>\(max)</max></set></query></iq>")
                #expect(errorCondition(answer) == "bad-request", "max \(max): \(answer)")
            }
        },
        HostileRow("search terms that are FTS5 operators → results or bad-request, never a server error") { (scene: HostileScene) async throws in
            scene.alice.say("lobby", "budget NEAR review")
            try await scene.alice.roundTrip(with: "lobby")
            let fulltext = "{urn:xmpp:fulltext:0}fulltext"
            let terms = ["\"", "\"unbalanced", "NEAR(budget review)", "budget*", "*", "^budget", "body:budget", "budget OR", "(", ")",
                         "AND", "NOT budget", "budget AND NOT", "{body}: x", "+", "-", "''",
                         (0..<2000).map { "t\($0)" }.joined(separator: " ")]
            for term in terms {
                let (_, reply) = try await scene.mallory.archive(scene.lobby, fields: [fulltext: [term]])
                let condition = errorCondition(reply)
                #expect(condition == nil || condition == "bad-request" || condition == "not-acceptable", "term \(term.prefix(40)): \(reply)")
            }
            let (results, _) = try await scene.mallory.archive(scene.lobby, fields: [fulltext: ["NEAR(budget review)"]])
            #expect(bodies(results).allSatisfy { $0 == "budget NEAR review" })
        },
    ]
}
