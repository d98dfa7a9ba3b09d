import Foundation
import PersistentChat
import SalonAdmin
import SalonClient
@testable import SalonServer
import SalonStore
import Testing
import XMPPCore

let mam = "urn:xmpp:mam:2"
let rsm = "http://jabber.org/protocol/rsm"

extension XMPPClient {
    /// Runs one MAM query; returns the result messages (in arrival order) and the reply iq.
    func archive(_ to: String, fields: [String: [String]] = [:], max: Int? = nil, after: String? = nil,
                 before: String? = nil, flip: Bool = false) async throws -> (results: [XMLElement], reply: XMLElement) {
        let queryID = nextID()
        var query = XMLElement("query", namespace: mam, attributes: ["queryid": queryID])
        if !fields.isEmpty {
            query.append(DataForm(type: .submit, formType: mam, fields: fields.sorted { $0.key < $1.key }.map { DataForm.Field($0.key, values: $0.value) }).element)
        }
        if max != nil || after != nil || before != nil {
            var set = XMLElement("set", namespace: rsm)
            if let max { set.append(.text("max", namespace: rsm, "\(max)")) }
            if let after { set.append(.text("after", namespace: rsm, after)) }
            if let before { set.append(.text("before", namespace: rsm, before)) }
            query.append(set)
        }
        if flip { query.append(XMLElement("flip-page", namespace: mam)) }
        let reply = try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": to], children: [.element(query)]))
        // The results were routed before the reply, on the same stream: they are all here.
        let isResult: @Sendable (XMLElement) -> Bool = { $0.child("result", namespace: mam)?[attribute: "queryid"] == queryID }
        var results: [XMLElement] = []
        while unclaimed.contains(where: isResult) { results.append(try await expect(isResult)) }
        return (results, reply)
    }
}

func forwarded(_ result: XMLElement) -> XMLElement? {
    result.child("result", namespace: mam)?.child("forwarded", namespace: "urn:xmpp:forward:0")?.child("message", namespace: NS.client)
}

func bodies(_ results: [XMLElement]) -> [String] {
    results.compactMap { forwarded($0)?.child("body", namespace: NS.client)?.text }
}

func resultIDs(_ results: [XMLElement]) -> [String] {
    results.compactMap { $0.child("result", namespace: mam)?[attribute: "id"] }
}

func fin(_ reply: XMLElement) -> (complete: Bool, first: String?, last: String?, count: Int?) {
    let fin = reply.child("fin", namespace: mam)
    let set = fin?.child("set", namespace: rsm)
    return (fin?[attribute: "complete"] == "true", set?.child("first", namespace: rsm)?.text, set?.child("last", namespace: rsm)?.text,
            set?.child("count", namespace: rsm).flatMap { Int($0.text) })
}

@Suite("Archive, search and moderation over XEP-0313")
struct MUCArchiveTests {
    let room = "design@\(chatDomain)"

    /// alice (manager, member) and bob (member) in a Closed room; carol in scope only; 10 messages.
    func setUp(_ server: TestServer, privacy: RoomPrivacy = .closed) async throws -> XMPPClient {
        for name in ["alice", "bob", "carol", "root"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(), by: .system)
            try d.addAdministrator("root@salon.test", by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng", privacy: privacy,
                                      members: privacy == .open ? [] : [.user("alice@salon.test"), .user("bob@salon.test")],
                                      managers: [.user("alice@salon.test")]), by: .system)
        }
        let alice = try await server.online("alice")
        try await alice.join("design", as: "Alice")
        let words = ["Café opens", "budget review", "Budget freeze", "lunch plans", "café closed",
                     "release notes", "budget approved", "standup moved", "retro notes", "ship it"]
        for word in words { alice.say("design", word) }
        for _ in words { _ = try await alice.heard(in: "design") }
        return alice
    }

    @Test("A burst of posts is committed in groups yet broadcast and archived in posting order")
    func burstKeepsOrder() async throws {
        try await withServer { server async throws in
            let alice = try await setUp(server)
            let bob = try await server.online("bob")
            try await bob.join("design", as: "Bob", history: ["maxstanzas": "0"])
            let burst = (1...300).map { "burst \($0)" }
            for body in burst { alice.say("design", body) }
            var heard: [String] = []
            for _ in burst { heard.append(try await bob.heard(in: "design").child("body", namespace: NS.client)?.text ?? "") }
            #expect(heard == burst)
            var query = ArchiveQuery(rooms: ["design"])
            query.max = 300
            query.before = ""
            #expect(try await server.database.archive.query(query).messages.map(\.body) == burst)
        }
    }

    @Test("Two rooms posting at once share group commits; each room's batch is broadcast and archived in its own order")
    func twoRoomsShareCommits() async throws {
        try await withServer { server async throws in
            let alice = try await setUp(server, privacy: .open)
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.createRoom(Room(localpart: "review", name: "Review", category: "Eng", privacy: .open), by: .system)
            }
            let bob = try await server.online("bob")
            try await bob.join("design", as: "Bob", history: ["maxstanzas": "0"])
            try await bob.join("review", as: "Bob", history: ["maxstanzas": "0"])
            try await alice.join("review", as: "Alice", history: ["maxstanzas": "0"])
            _ = try await alice.expect { $0.name == "presence" && $0[attribute: "from"] == "review@\(chatDomain)/Bob" }
            let design = (1...150).map { "design \($0)" }
            let review = (1...150).map { "review \($0)" }
            for (first, second) in zip(design, review) {
                alice.say("design", first)
                bob.say("review", second)
            }
            var heardDesign: [String] = []
            var heardReview: [String] = []
            for _ in design { heardDesign.append(try await bob.heard(in: "design").child("body", namespace: NS.client)?.text ?? "") }
            for _ in review { heardReview.append(try await alice.heard(in: "review").child("body", namespace: NS.client)?.text ?? "") }
            #expect(heardDesign == design)
            #expect(heardReview == review)
            for (localpart, posted) in [("design", design), ("review", review)] {
                var query = ArchiveQuery(rooms: [localpart])
                query.max = 150
                query.before = ""
                #expect(try await server.database.archive.query(query).messages.map(\.body) == posted)
            }
        }
    }

    @Test("Paging: first page, next page, last page, flip, count and complete; unknown ids are item-not-found")
    func paging() async throws {
        try await withServer { server async throws in
            let alice = try await setUp(server)
            let first = try await alice.archive(room, max: 4)
            #expect(bodies(first.results) == ["Café opens", "budget review", "Budget freeze", "lunch plans"])
            let page = fin(first.reply)
            #expect(page.count == 10 && !page.complete)
            let second = try await alice.archive(room, max: 4, after: page.last)
            #expect(bodies(second.results) == ["café closed", "release notes", "budget approved", "standup moved"])
            let last = try await alice.archive(room, max: 3, before: "")
            #expect(bodies(last.results) == ["standup moved", "retro notes", "ship it"])
            // Paging backwards, "complete" means the oldest message was reached (XEP-0313 §5.4).
            #expect(!fin(last.reply).complete)
            #expect(fin(try await alice.archive(room, max: 20, before: "").reply).complete)
            let flipped = try await alice.archive(room, max: 3, before: "", flip: true)
            #expect(bodies(flipped.results) == ["ship it", "retro notes", "standup moved"])
            let empty = try await alice.archive(room, fields: ["with": ["carol@salon.test"]])
            #expect(empty.results.isEmpty && fin(empty.reply).complete && fin(empty.reply).count == 0)
            let missing = try await alice.archive(room, after: "no-such-id")
            #expect(errorCondition(missing.reply) == "item-not-found")
            let missingID = try await alice.archive(room, fields: ["before-id": ["no-such-id"]])
            #expect(errorCondition(missingID.reply) == "item-not-found")
            // Each result carries its stanza-id and a delay stamp.
            let result = try #require(first.results.first)
            #expect(result.child("result", namespace: mam)?[attribute: "id"] == forwarded(result)?.child("stanza-id", namespace: "urn:xmpp:sid:0")?[attribute: "id"])
        }
    }

    @Test("Filters: with, start/end, ids, after-id/before-id, full text (all, any, exact, case, diacritics)")
    func filters() async throws {
        try await withServer { server async throws in
            let alice = try await setUp(server)
            let all = try await alice.archive(room)
            let ids = resultIDs(all.results)
            #expect(ids.count == 10)
            #expect(bodies(try await alice.archive(room, fields: ["with": ["alice@salon.test"]]).results).count == 10)
            #expect(bodies(try await alice.archive(room, fields: ["ids": [ids[2], ids[5]]]).results) == ["Budget freeze", "release notes"])
            #expect(bodies(try await alice.archive(room, fields: ["after-id": [ids[7]]]).results) == ["retro notes", "ship it"])
            #expect(bodies(try await alice.archive(room, fields: ["before-id": [ids[1]]]).results) == ["Café opens"])
            let future = try await alice.archive(room, fields: ["start": [Timestamp.format(Date().addingTimeInterval(60))]])
            #expect(future.results.isEmpty)
            let past = try await alice.archive(room, fields: ["end": [Timestamp.format(Date().addingTimeInterval(-3600))]])
            #expect(past.results.isEmpty)
            let fulltext = "{urn:xmpp:fulltext:0}fulltext"
            #expect(bodies(try await alice.archive(room, fields: [fulltext: ["budget"]]).results) == ["budget review", "Budget freeze", "budget approved"])
            #expect(bodies(try await alice.archive(room, fields: [fulltext: ["cafe"]]).results) == ["Café opens", "café closed"])
            #expect(bodies(try await alice.archive(room, fields: [fulltext: ["Budget"], "urn:salon:persistent-chat#case-sensitive": ["1"]]).results) == ["Budget freeze"])
            #expect(bodies(try await alice.archive(room, fields: [fulltext: ["lunch retro"], "urn:salon:persistent-chat#match": ["any"]]).results) == ["lunch plans", "retro notes"])
            #expect(try await alice.archive(room, fields: [fulltext: ["lunch retro"]]).results.isEmpty)
            #expect(bodies(try await alice.archive(room, fields: [fulltext: ["budget approved"], "urn:salon:persistent-chat#match": ["exact"]]).results) == ["budget approved"])
            #expect(try await alice.archive(room, fields: [fulltext: ["approved budget"], "urn:salon:persistent-chat#match": ["exact"]]).results.isEmpty)
        }
    }

    @Test("Access follows reading history: members of Closed rooms, nobody once disabled")
    func access() async throws {
        try await withServer { server async throws in
            _ = try await setUp(server)
            let bob = try await server.online("bob")
            let carol = try await server.online("carol")
            #expect(try await bob.archive(room).results.count == 10)
            #expect(errorCondition(try await carol.archive(room).reply) == "forbidden")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateRoom("design", by: .system) { (r: inout Room) throws(ChatRuleError) in r.disabled = true }
            }
            #expect(errorCondition(try await bob.archive(room).reply) == "item-not-found")
            // Disabled content drops out of search too.
            #expect(try await bob.archive(chatDomain, fields: ["{urn:xmpp:fulltext:0}fulltext": ["budget"]]).results.isEmpty)
        }
    }

    @Test("Open rooms are readable by anyone in scope; search across rooms tags each result with its room")
    func searchAcrossRooms() async throws {
        try await withServer { server async throws in
            let alice = try await setUp(server, privacy: .open)
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.createRoom(Room(localpart: "secret", name: "Secret", category: "Eng", privacy: .secret,
                                          members: [.user("alice@salon.test")]), by: .system)
            }
            try await alice.join("secret", as: "Alice")
            alice.say("secret", "budget secrets")
            _ = try await alice.heard(in: "secret")
            let carol = try await server.online("carol")
            #expect(try await carol.archive(room).results.count == 10)
            let carolSearch = try await carol.archive(chatDomain, fields: ["{urn:xmpp:fulltext:0}fulltext": ["budget"]])
            #expect(Set(carolSearch.results.compactMap { forwarded($0)?[attribute: "from"] }) == ["design@\(chatDomain)/Alice"])
            let aliceSearch = try await alice.archive(chatDomain, fields: ["{urn:xmpp:fulltext:0}fulltext": ["budget"]])
            #expect(bodies(aliceSearch.results).count == 4)
            #expect(aliceSearch.results.contains { forwarded($0)?[attribute: "from"] == "secret@\(chatDomain)/Alice" })

            // The same search as an ad-hoc command.
            let commands = "http://jabber.org/protocol/commands"
            let start = try await carol.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": chatDomain],
                                                            children: [.element(XMLElement("command", namespace: commands, attributes: ["node": "search", "action": "execute"]))]))
            let session = try #require(start.child("command", namespace: commands)?[attribute: "sessionid"])
            let submit = DataForm(type: .submit, fields: [DataForm.Field("keywords", values: ["budget"])])
            let done = try await carol.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": chatDomain], children: [
                .element(XMLElement("command", namespace: commands, attributes: ["node": "search", "sessionid": session, "action": "complete"],
                                    children: [.element(submit.element)])),
            ]))
            let command = try #require(done.child("command", namespace: commands))
            #expect(command[attribute: "status"] == "completed")
            let table = try #require(command.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(table.items.count == 3)
            #expect(table.items.allSatisfy { $0.first { $0.variable == "room" }?.values == ["Design"] })
        }
    }

    @Test("Clear, remove and replace show in MAM, in join history and in search; moderation leaves a tombstone")
    func administration() async throws {
        try await withServer { server async throws in
            let alice = try await setUp(server)
            let admin = ArchiveAdministration(database: server.database)
            let replaced = try await admin.remove(room: "Design", authors: [], from: nil, to: nil,
                                                  text: TextFilter("budget"), replacement: ArchiveAdministration.defaultReplacement)
            #expect(replaced == 3)
            let removed = try await admin.remove(room: "design", authors: ["alice@salon.test"], from: nil, to: nil,
                                                 text: TextFilter("notes"), replacement: nil)
            #expect(removed == 2)
            let after = bodies(try await alice.archive(room).results)
            #expect(after.count == 8 && after.filter { $0 == ArchiveAdministration.defaultReplacement }.count == 3)
            #expect(try await alice.archive(room, fields: ["{urn:xmpp:fulltext:0}fulltext": ["budget"]]).results.isEmpty)

            // Moderation by an administrator: occupants see the retraction; the archive keeps a tombstone.
            let target = try #require(resultIDs(try await alice.archive(room, fields: ["{urn:xmpp:fulltext:0}fulltext": ["ship"]]).results).first)
            let bob = try await server.online("bob")
            let refused = try await bob.request(moderation(target))
            #expect(errorCondition(refused) == "forbidden")
            let root = try await server.online("root")
            #expect(try await root.request(moderation(target))[attribute: "type"] == "result")
            let retraction = try await alice.expect { $0.child("retract", namespace: "urn:xmpp:message-retract:1") != nil }
            #expect(retraction.child("retract", namespace: "urn:xmpp:message-retract:1")?[attribute: "id"] == target)
            let tomb = try #require(try await alice.archive(room, fields: ["ids": [target]]).results.first)
            #expect(forwarded(tomb)?.child("retracted", namespace: "urn:xmpp:message-retract:1") != nil)
            #expect(forwarded(tomb)?.child("body", namespace: NS.client) == nil)

            // Clear everything: MAM and join history are empty.
            #expect(try await admin.clear(room: "Design", until: Date().addingTimeInterval(1)) == 8)
            #expect(try await alice.archive(room).results.isEmpty)
            try await Task.sleep(for: .milliseconds(1500))
            try await bob.join("design", as: "Bob")
            try await bob.ping()
            #expect(!bob.unclaimed.contains { $0[attribute: "type"] == "groupchat" && $0.child("body", namespace: NS.client) != nil })
        }
    }

    func moderation(_ id: String) -> XMLElement {
        XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": room], children: [
            .element(XMLElement("moderate", namespace: "urn:xmpp:message-moderate:1", attributes: ["id": id], children: [
                .element(XMLElement("retract", namespace: "urn:xmpp:message-retract:1")),
                .element(.text("reason", namespace: "urn:xmpp:message-moderate:1", "off topic")),
            ])),
        ])
    }
}
