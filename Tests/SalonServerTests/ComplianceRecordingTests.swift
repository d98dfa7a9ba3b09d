import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import SalonStore
import Testing
import XMPPCore

/// Compliance recording through the wire (design §6): each event is in the journal by the time
/// the client sees the action it records.
@Suite("Compliance journal over the wire")
struct ComplianceRecordingTests {
    static func on(_ configuration: inout ServerConfiguration) { configuration.administration.compliance.enabled = true }

    /// alice (manager) and bob (members) in Closed "design"; root administers.
    func setUp(_ server: TestServer, history: Bool = true) async throws {
        for name in ["alice", "bob", "root"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(history: history), by: .system)
            try d.addAdministrator("root@salon.test", by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng", privacy: .closed,
                                      members: [.user("alice@salon.test"), .user("bob@salon.test")],
                                      managers: [.user("alice@salon.test")]), by: .system)
        }
    }

    /// The journal without the setup's own directory changes (made as the operator, "system").
    func journal(_ server: TestServer) async throws -> [ComplianceRecord] {
        try await server.database.compliance.events(1...Int64.max).filter { $0.actorBare != ComplianceEvent.systemActor }
    }

    func payload(_ record: ComplianceRecord) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(record.payload.utf8)) as? [String: Any])
    }

    @Test("JOIN, CHAT with the stanza as broadcast, BACKCHAT for join history, PART")
    func roomEvents() async throws {
        try await withServer(configure: Self.on) { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice", resource: "desk")
            try await alice.join("design", as: "Alice")
            alice.say("design", "first")
            let heard = try await alice.heard(in: "design")
            let bob = try await server.online("bob", resource: "phone")
            try await bob.join("design", as: "Bob", history: ["maxstanzas": "5"])
            _ = try await bob.heard(in: "design")
            let leaving = "design@\(chatDomain)/Bob"
            bob.send(XMLElement("presence", namespace: NS.client, attributes: ["to": leaving, "type": "unavailable"]))
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" && $0[attribute: "from"] == leaving }

            let events = try await journal(server)
            #expect(events.map(\.type) == ["JOIN", "CHAT", "JOIN", "BACKCHAT", "PART"])
            #expect(events[0].actorBare == "alice@salon.test" && events[0].actorFull == "alice@salon.test/desk" && events[0].room == "design")
            #expect(try payload(events[0])["nick"] as? String == "Alice")
            // The stanza every occupant got, with its stanza-id, without a `to`.
            let stanza = try XMLStreamParser.parseStanza(events[1].payload, namespace: NS.client)
            #expect(stanza.child("body", namespace: NS.client)?.text == "first")
            #expect(stanza.child("stanza-id", namespace: "urn:xmpp:sid:0")?[attribute: "id"]
                    == heard.child("stanza-id", namespace: "urn:xmpp:sid:0")?[attribute: "id"])
            #expect(stanza[attribute: "to"] == nil)
            let backchat = try payload(events[3])
            #expect(events[3].actorFull == "bob@salon.test/phone")
            #expect(backchat["source"] as? String == "join-history")
            #expect(backchat["results"] as? Int == 1)
            #expect((backchat["query"] as? [String: Any])?["maxstanzas"] as? String == "5")
            #expect(events[4].actorFull == "bob@salon.test/phone" && events[4].type == "PART")
            #expect(try await server.database.compliance.verify().firstBreak == nil)
        }
    }

    @Test("BACKCHAT for a room's MAM query and for a search, with terms, filters and rooms")
    func historyQueries() async throws {
        try await withServer(configure: Self.on) { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            try await alice.join("design", as: "Alice")
            for word in ["budget review", "lunch", "budget approved"] { alice.say("design", word) }
            for _ in 0..<3 { _ = try await alice.heard(in: "design") }
            let mamResult = try await alice.archive("design@\(chatDomain)", fields: ["with": ["alice@salon.test"]], max: 2)
            #expect(mamResult.results.count == 2)
            let search = try await alice.archive(chatDomain, fields: ["{urn:xmpp:fulltext:0}fulltext": ["budget"]])
            #expect(search.results.count == 2)

            let backchats = try await journal(server).filter { $0.type == "BACKCHAT" }
            try #require(backchats.count == 2)
            let mam = try payload(backchats[0])
            #expect(backchats[0].room == "design")
            #expect(mam["source"] as? String == "mam" && mam["results"] as? Int == 2 && mam["rooms"] as? [String] == ["design"])
            #expect((mam["query"] as? [String: Any])?["authors"] as? [String] == ["alice@salon.test"])
            #expect((mam["query"] as? [String: Any])?["max"] as? Int == 2)
            let found = try payload(backchats[1])
            #expect(backchats[1].room == "")
            #expect(found["source"] as? String == "search" && found["rooms"] as? [String] == ["design"] && found["results"] as? Int == 2)
            #expect((found["query"] as? [String: Any])?["terms"] as? String == "budget")
        }
    }

    @Test("A room that keeps no history still journals its posts before broadcasting them")
    func postsWithoutHistory() async throws {
        try await withServer(configure: Self.on) { server async throws in
            try await setUp(server, history: false)
            let alice = try await server.online("alice")
            try await alice.join("design", as: "Alice")
            alice.say("design", "not archived")
            _ = try await alice.heard(in: "design")
            #expect(try await server.archived("design").isEmpty)
            #expect(try await journal(server).map(\.type) == ["JOIN", "CHAT"])
        }
    }

    @Test("Off by default: nothing recorded; an administrator turns it on by ad-hoc command, which is recorded")
    func switchedOnByAdHoc() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            try await alice.join("design", as: "Alice")
            alice.say("design", "unrecorded")
            _ = try await alice.heard(in: "design")
            #expect(try await journal(server).isEmpty)
            let root = try await server.online("root")
            #expect(try await alice.commandNodes().contains("compliance-set") == false)
            let set = try await root.runCommand("compliance-set", [["key": ["enabled"], "value": ["on"]]])
            #expect(set.succeeded, "\(String(describing: set.note))")
            alice.say("design", "recorded")
            _ = try await alice.heard(in: "design")
            let events = try await journal(server)
            #expect(events.map(\.type) == ["COMPLIANCE_CHANGED", "CHAT"])
            #expect(events[0].actorBare == "root@salon.test")
            let bad = try await root.runCommand("compliance-set", [["key": ["run_interval"], "value": ["10"]]])
            #expect(bad.note?.type == "error")
            let verify = try await root.runCommand("compliance-verify")
            #expect(verify.note?.text == "compliance journal intact: 2 events")
        }
    }

    @Test("Messages replaced, removed and cleared by an administrator are journaled with their old text")
    func contentEdits() async throws {
        try await withServer(configure: Self.on) { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            try await alice.join("design", as: "Alice")
            for body in ["secret plan", "lunch at noon"] { alice.say("design", body) }
            for _ in 0..<2 { _ = try await alice.heard(in: "design") }
            let root = try await server.online("root")
            let replaced = try await root.runCommand("message-remove", [["room": ["Design"], "keywords": ["secret"], "action": ["replace"],
                                                                         "replacement": ["[removed]"]]])
            #expect(replaced.succeeded, "\(String(describing: replaced.note))")
            #expect(try await root.runCommand("message-remove", [["room": ["Design"], "keywords": ["lunch"], "action": ["delete"]]]).succeeded)
            #expect(try await root.runCommand("room-clear", [["room": ["Design"], "until": [Timestamp.format(Date().addingTimeInterval(60))]]]).succeeded)

            let events = try await journal(server).suffix(3)
            #expect(events.map(\.type) == ["MESSAGE_REPLACED", "MESSAGE_REMOVED", "ROOM_CLEARED"])
            #expect(events.allSatisfy { $0.actorBare == "root@salon.test" && $0.room == "design" })
            let replacedPayload = try payload(events[events.startIndex])
            #expect(replacedPayload["before"] as? String == "secret plan" && replacedPayload["after"] as? String == "[removed]")
            #expect(try payload(events[events.startIndex + 1])["before"] as? String == "lunch at noon")
            #expect(try payload(events[events.startIndex + 2])["after"] as? String == "1 messages deleted")
            // The CHAT events of the edited posts are still there, as posted.
            #expect(try await journal(server).filter { $0.type == "CHAT" }.count == 2)
        }
    }

    @Test("Directory changes: a category by ad-hoc command, a member added through muc#admin, each with who and before/after")
    func directoryChanges() async throws {
        try await withServer(configure: Self.on) { server async throws in
            try await setUp(server)
            try await server.addUser("carol")
            let root = try await server.online("root")
            let created = try await root.runCommand("category-create", [["name": ["Legal"], "description": ["Counsel"], "allowed": ["salon.test"]]])
            #expect(created.succeeded, "\(String(describing: created.note))")
            let alice = try await server.online("alice", resource: "desk")
            try await alice.join("design", as: "Alice")
            let grant = XMLElement("query", namespace: "http://jabber.org/protocol/muc#admin", children: [
                .element(XMLElement("item", namespace: "http://jabber.org/protocol/muc#admin", attributes: ["affiliation": "member", "jid": "carol@salon.test"])),
            ])
            let answer = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": "design@\(chatDomain)"],
                                                            children: [.element(grant)]))
            #expect(answer[attribute: "type"] == "result")

            let events = try await journal(server).filter { $0.type != "JOIN" }
            #expect(events.map(\.type) == ["CATEGORY_CHANGED", "ROLE_CHANGED"])
            let category = try payload(events[0])
            #expect(events[0].actorBare == "root@salon.test")
            #expect(category["what"] as? String == "category created" && (category["target"] as? String)?.lowercased() == "legal")
            #expect((category["after"] as? String)?.contains("description: Counsel") == true)
            let role = try payload(events[1])
            #expect(events[1].actorBare == "alice@salon.test" && events[1].actorFull == "alice@salon.test/desk" && events[1].room == "design")
            #expect(role["what"] as? String == "members changed")
            #expect(role["before"] as? String == "members: alice@salon.test, bob@salon.test")
            #expect(role["after"] as? String == "members: alice@salon.test, bob@salon.test, carol@salon.test")
        }
    }

    @Test("A Normal room's mute and the voice given back are journaled as ROLE_CHANGED before the room announces them")
    func mutes() async throws {
        try await withServer(configure: Self.on) { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice", resource: "desk")
            try await alice.join("design", as: "Alice")
            let bob = try await server.online("bob")
            try await bob.join("design", as: "Bob")
            let admin = "http://jabber.org/protocol/muc#admin"
            for role in ["visitor", "participant"] {
                let answer = try await alice.query("design@\(chatDomain)", admin, type: "set",
                                                   [XMLElement("item", namespace: admin, attributes: ["role": role, "nick": "Bob"])])
                #expect(answer[attribute: "type"] == "result")
                _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == "design@\(chatDomain)/Bob"
                    && mucItem($0)?[attribute: "role"] == role }
            }
            let events = try await journal(server).filter { $0.type == "ROLE_CHANGED" }
            #expect(events.count == 2)
            let muted = try payload(events[0]), voiced = try payload(events[1])
            #expect(events[0].actorBare == "alice@salon.test" && events[0].room == "design")
            #expect(muted["what"] as? String == "occupant muted" && muted["target"] as? String == "bob@salon.test")
            #expect(muted["before"] as? String == "participant" && muted["after"] as? String == "visitor")
            #expect(voiced["what"] as? String == "voice given back" && voiced["after"] as? String == "participant")
        }
    }

    @Test("Creating a room by joining it journals the creator's JOIN, then the room's creation as the creator")
    func creationByJoining() async throws {
        try await withServer(configure: Self.on) { server async throws in
            try await server.addUser("alice")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(creators: ["alice@salon.test"]), by: .system)
            }
            let alice = try await server.online("alice", resource: "desk")
            let created = try await alice.createRoomByJoining("ideas", name: "Ideas")
            #expect(created[attribute: "type"] == "result")
            let events = try await journal(server)
            try #require(events.map(\.type) == ["JOIN", "ROOM_CHANGED"])
            #expect(events.allSatisfy { $0.actorFull == "alice@salon.test/desk" && $0.room == "ideas" })
            #expect(try payload(events[1])["what"] as? String == "room created")
        }
    }
}
