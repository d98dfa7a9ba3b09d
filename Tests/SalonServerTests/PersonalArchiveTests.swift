import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import SalonStore
import Testing
import XMPPCore

private let sid = "urn:xmpp:sid:0"
private let hintsNS = "urn:xmpp:hints"

extension XMPPClient {
    /// Sets this account's XEP-0441 preferences; returns the reply.
    func archivePreferences(_ mode: String?, always: [String] = [], never: [String] = []) async throws -> XMLElement {
        var prefs = XMLElement("prefs", namespace: mam)
        if let mode { prefs[attribute: "default"] = mode }
        for (name, jids) in [("always", always), ("never", never)] {
            prefs.append(XMLElement(name, namespace: mam, children: jids.map { .element(textElement("jid", namespace: mam, $0)) }))
        }
        return try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"], children: [.element(prefs)]))
    }

    /// The next message with a body, as delivered.
    func nextChat() async throws -> XMLElement {
        try await expect { $0.name == "message" && $0.child("body", namespace: NS.client) != nil && $0.child("result", namespace: mam) == nil }
    }
}

/// The stanza-ids a delivered message carries, as (by, id).
private func stanzaIDs(_ message: XMLElement) -> [(by: String?, id: String?)] {
    message.children("stanza-id", namespace: sid).map { ($0[attribute: "by"], $0[attribute: "id"]) }
}

@Suite("Personal archive (XEP-0313 on accounts) over the wire")
struct PersonalArchiveTests {
    let domain = TestServer.domain
    var aliceJID: String { "alice@\(domain)" }
    var bobJID: String { "bob@\(domain)" }

    @Test("Both parties archive a chat; the recipient's copy carries its stanza-id; disco shows MAM")
    func bothArchives() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let info = try await alice.query(aliceJID, NS.discoInfo)
            let features = info.child("query", namespace: NS.discoInfo)?.elements.compactMap { $0[attribute: "var"] } ?? []
            for feature in [mam, "urn:xmpp:mam:2#extended", sid] { #expect(features.contains(feature)) }

            var delivered: [XMLElement] = []
            for text in ["one", "two", "three"] {
                alice.send(message(to: bobJID, body: text))
                delivered.append(try await bob.nextChat())
            }
            for message in delivered {
                let ids = stanzaIDs(message)
                #expect(ids.count == 1 && ids.first?.by == bobJID)
            }
            let (bobResults, bobReply) = try await bob.archive(bobJID)
            #expect(bodies(bobResults) == ["one", "two", "three"])
            #expect(resultIDs(bobResults) == delivered.compactMap { stanzaIDs($0).first?.id })
            #expect(bobResults.allSatisfy { $0[attribute: "from"] == bobJID })
            #expect(fin(bobReply).complete && fin(bobReply).count == 3)
            #expect(bobReply[attribute: "from"] == bobJID)
            #expect(forwarded(bobResults[0])?[attribute: "from"] == alice.jid.description)
            #expect(bobResults[0].child("result", namespace: mam)?.child("forwarded", namespace: "urn:xmpp:forward:0")?
                .child("delay", namespace: NS.delay) != nil)

            let (aliceResults, _) = try await alice.archive(aliceJID, fields: ["with": [bobJID]])
            #expect(bodies(aliceResults) == ["one", "two", "three"])
            #expect(Set(resultIDs(aliceResults)).isDisjoint(with: resultIDs(bobResults)))
            #expect(try await alice.archive(aliceJID, fields: ["with": ["carol@\(domain)"]]).results.isEmpty)
            #expect(try await alice.archive(aliceJID, fields: ["with": [bob.jid.description]]).results.isEmpty)
            #expect(bodies(try await bob.archive(bobJID, fields: ["with": [alice.jid.description]]).results).count == 3)
            #expect(bodies(try await bob.archive(bobJID, fields: ["{urn:xmpp:fulltext:0}fulltext": ["TWO"]]).results) == ["two"])
            #expect(bodies(try await bob.archive(bobJID, fields: ["ids": [resultIDs(bobResults)[2]]]).results) == ["three"])
            #expect(bodies(try await bob.archive(bobJID, fields: ["after-id": [resultIDs(bobResults)[0]]]).results) == ["two", "three"])
            #expect(bodies(try await bob.archive(bobJID, max: 2, before: "").results) == ["two", "three"])
            #expect(bodies(try await bob.archive(bobJID, max: 2, before: "", flip: true).results) == ["three", "two"])
            // `<after/>` outside the RSM set, as Profanity sends it, pages as RSM after would.
            var query = XMLElement("query", namespace: mam, attributes: ["queryid": "stray"])
            query.append(textElement("after", namespace: mam, resultIDs(bobResults)[1]))
            _ = try await bob.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"], children: [.element(query)]))
            let stray = bob.unclaimed.filter { $0.child("result", namespace: mam)?[attribute: "queryid"] == "stray" }
            #expect(bodies(stray) == ["three"])
            // An id of Alice's archive is unknown in Bob's.
            let foreign = try await bob.archive(bobJID, fields: ["after-id": [resultIDs(aliceResults)[0]]])
            #expect(errorCondition(foreign.reply) == "item-not-found")

            // Nobody reads another account's archive.
            let (_, refused) = try await alice.archive(bobJID)
            #expect(errorCondition(refused) == "forbidden")
            // The metadata names the first and last ids.
            let metadata = try await bob.query(bobJID, mam, name: "metadata").child("metadata", namespace: mam)
            #expect(metadata?.child("start", namespace: mam)?[attribute: "id"] == resultIDs(bobResults).first)
            #expect(metadata?.child("end", namespace: mam)?[attribute: "id"] == resultIDs(bobResults).last)
        }
    }

    @Test("A client paging with RSM after while messages keep arriving gets each message exactly once")
    func syncExactlyOnce() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            var sent = 0
            func send(_ count: Int) async throws {
                for _ in 0..<count {
                    sent += 1
                    alice.send(message(to: bobJID, body: "m\(sent)"))
                }
                try await alice.ping()
            }
            try await send(5)
            var seen: [String] = []
            var last: String?
            for _ in 0..<40 {
                let (results, reply) = try await bob.archive(bobJID, max: 3, after: last)
                seen += bodies(results)
                last = fin(reply).last ?? last
                if seen.count < 12 { try await send(2) }
                if fin(reply).complete && seen.count >= 5 && sent == seen.count { break }
            }
            #expect(seen == (1...sent).map { "m\($0)" })
        }
    }

    @Test("Preferences: get and set, never and roster applied when archiving, lists bounded")
    func preferences() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let carol = try await server.online("carol")

            let initial = try await bob.query(bobJID, mam, name: "prefs").child("prefs", namespace: mam)
            #expect(initial?[attribute: "default"] == "always")
            #expect(initial?.child("always", namespace: mam) != nil && initial?.child("never", namespace: mam) != nil)

            let set = try await bob.archivePreferences("never", always: [carol.jid.bare.description])
            #expect(set[attribute: "type"] == "result")
            #expect(set.child("prefs", namespace: mam)?.child("always", namespace: mam)?.elements.map(\.text) == ["carol@\(domain)"])
            alice.send(message(to: bobJID, body: "not kept by bob"))
            let unkept = try await bob.nextChat()
            #expect(stanzaIDs(unkept).isEmpty)
            carol.send(message(to: bobJID, body: "always carol"))
            #expect(stanzaIDs(try await bob.nextChat()).count == 1)
            #expect(bodies(try await bob.archive(bobJID).results) == ["always carol"])
            #expect(bodies(try await alice.archive(aliceJID).results) == ["not kept by bob"])

            // roster: Alice becomes a contact, Carol is not.
            _ = try await bob.archivePreferences("roster")
            let item = XMLElement("item", namespace: NS.roster, attributes: ["jid": aliceJID])
            _ = try await bob.query(bobJID, NS.roster, type: "set", [item])
            alice.send(message(to: bobJID, body: "from a contact"))
            _ = try await bob.nextChat()
            carol.send(message(to: bobJID, body: "from a stranger"))
            _ = try await bob.nextChat()
            #expect(bodies(try await bob.archive(bobJID).results) == ["always carol", "from a contact"])

            #expect(errorCondition(try await bob.archivePreferences(nil)) == "bad-request")
            #expect(errorCondition(try await bob.archivePreferences("sometimes")) == "bad-request")
            #expect(errorCondition(try await bob.archivePreferences("always", never: ["@@bad"])) == "jid-malformed")
            let tooMany = (0...ArchivePreferences.maxJIDs).map { "u\($0)@example.com" }
            #expect(errorCondition(try await bob.archivePreferences("always", never: tooMany)) == "not-acceptable")
            #expect(try await bob.query(bobJID, mam, name: "prefs").child("prefs", namespace: mam)?[attribute: "default"] == "roster")
        }
    }

    @Test("An offline recipient's copy is archived and the offline message carries its id")
    func offlineRecipient() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            alice.send(message(to: bobJID, body: "while you were away"))
            try await alice.ping()
            let bob = try await server.online("bob")
            let offline = try await bob.nextChat()
            let (results, _) = try await bob.archive(bobJID)
            #expect(bodies(results) == ["while you were away"])
            #expect(stanzaIDs(offline).map(\.id) == resultIDs(results))
        }
    }

    @Test("XEP-0334 hints: no-store keeps nothing, store keeps a message without a body; chat states are not kept")
    func hints() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            var secret = message(to: bobJID, body: "off the record")
            secret.append(XMLElement("no-store", namespace: hintsNS))
            alice.send(secret)
            var transient = message(to: bobJID, body: "not permanent")
            transient.append(XMLElement("no-permanent-store", namespace: hintsNS))
            alice.send(transient)
            var kept = XMLElement("message", namespace: NS.client, attributes: ["to": bobJID, "type": "normal"])
            kept.append(XMLElement("store", namespace: hintsNS))
            kept.append(XMLElement("x", namespace: "urn:example:payload"))
            alice.send(kept)
            var state = XMLElement("message", namespace: NS.client, attributes: ["to": bobJID, "type": "chat"])
            state.append(XMLElement("composing", namespace: "http://jabber.org/protocol/chatstates"))
            alice.send(state)
            alice.send(message(to: bobJID, body: "last"))
            _ = try await bob.nextChat()
            _ = try await bob.nextChat()
            _ = try await bob.nextChat()
            let (results, _) = try await bob.archive(bobJID)
            #expect(results.count == 2)
            #expect(forwarded(results[0])?.child("x", namespace: "urn:example:payload") != nil)
            #expect(bodies(results) == ["last"])
            #expect(try await alice.archive(aliceJID).results.count == 2)
        }
    }

    @Test("A stanza-id a client forges in the recipient's or its own name is removed")
    func forgedStanzaIDs() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            var forged = message(to: bobJID, body: "trust me")
            forged.append(XMLElement("stanza-id", namespace: sid, attributes: ["by": bobJID, "id": "forged-bob"]))
            forged.append(XMLElement("stanza-id", namespace: sid, attributes: ["by": aliceJID, "id": "forged-alice"]))
            alice.send(forged)
            let delivered = try await bob.nextChat()
            let ids = stanzaIDs(delivered)
            #expect(ids.count == 1)
            #expect(ids.first?.by == bobJID && ids.first?.id != "forged-bob")
            let (aliceResults, _) = try await alice.archive(aliceJID)
            #expect(forwarded(aliceResults[0]).map(stanzaIDs)?.isEmpty == true)
        }
    }

    @Test("Carbons: a message reaching several resources is archived once; a sent carbon carries the sender's archive id")
    func carbonsArchiveOnce() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let desk = try await server.online("alice", resource: "desk")
            let phone = try await server.online("alice", resource: "phone")
            try await desk.carbons()
            try await phone.carbons()
            let bob = try await server.online("bob")
            bob.send(message(to: desk.jid.description, body: "to both"))
            _ = try await desk.nextChat()
            let (_, copy) = try await phone.carbon("received")
            #expect(stanzaIDs(copy).first?.by == aliceJID)
            desk.send(message(to: bobJID, body: "from the desk"))
            let toBob = try await bob.nextChat()
            #expect(stanzaIDs(toBob).map(\.by) == [bobJID])
            // The sent carbon carries the sender's archive id; what Bob gets does not.
            let (_, sentCopy) = try await phone.carbon("sent")
            #expect(stanzaIDs(sentCopy).map(\.by) == [aliceJID])
            // To the bare JID, both resources (equal priority) get it.
            bob.send(message(to: aliceJID, body: "to the account"))
            _ = try await desk.nextChat()
            _ = try await phone.nextChat()
            let (aliceResults, _) = try await phone.archive(aliceJID)
            #expect(bodies(aliceResults) == ["to both", "from the desk", "to the account"])
            #expect(resultIDs(aliceResults)[1] == stanzaIDs(sentCopy).first?.id)
            #expect(bodies(try await bob.archive(bobJID).results) == ["to both", "from the desk", "to the account"])
        }
    }

    @Test("A room private message is archived once for each user, with the occupant JID; the room's archive never has it")
    func roomPrivateMessages() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open), by: .system)
            }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob", resource: "desk")
            let bobPhone = try await server.online("bob", resource: "phone")
            try await alice.join("lobby", as: "Alice")
            try await bob.join("lobby", as: "Bob")
            try await bobPhone.join("lobby", as: "Bob")
            alice.send(message(to: "lobby@\(chatDomain)/Bob", body: "psst"))
            let heard = try await bob.nextChat()
            let heardOnPhone = try await bobPhone.nextChat()
            #expect(stanzaIDs(heard).map(\.by) == [bobJID])
            #expect(stanzaIDs(heard).map(\.id) == stanzaIDs(heardOnPhone).map(\.id))

            let (bobResults, _) = try await bob.archive(bobJID)
            #expect(bodies(bobResults) == ["psst"])
            #expect(forwarded(bobResults[0])?[attribute: "from"] == "lobby@\(chatDomain)/Alice")
            #expect(resultIDs(bobResults) == stanzaIDs(heard).compactMap(\.id))
            #expect(bodies(try await alice.archive(aliceJID, fields: ["with": ["lobby@\(chatDomain)/Bob"]]).results) == ["psst"])
            #expect(bodies(try await alice.archive(aliceJID, fields: ["with": ["lobby@\(chatDomain)/Carol"]]).results) == [])
            #expect(try await server.archived("lobby").isEmpty)
        }
    }

    @Test("Messages a closing stream hands back to offline storage are not archived again")
    func handedBackOnce() async throws {
        try await withServer(configure: { $0.limits.smUnackedStanzas = 5 }) { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.enableStreamManagement(answersRequests: false)
            for index in 1...8 { bob.send(message(to: alice.jid.description, body: "m\(index)")) }
            #expect(try await alice.expectStreamError() == "policy-violation")
            try await server.waitForOffline("alice", count: 8)
            let archive = server.database.personalArchive
            #expect(try await archive.query(ArchiveQuery(rooms: [aliceJID])).messages.map(\.body) == (1...8).map { "m\($0)" })
            #expect(try await archive.query(ArchiveQuery(rooms: [bobJID])).count == 8)
        }
    }

    @Test("Deleting an account deletes its archive")
    func deletion() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            alice.send(message(to: bobJID, body: "for the record"))
            try await alice.ping()
            #expect(try await server.database.personalArchive.query(ArchiveQuery(rooms: [bobJID])).count == 1)
            _ = try await server.accounts.delete("bob")
            #expect(try await server.database.personalArchive.query(ArchiveQuery(rooms: [bobJID])).count == 0)
            #expect(try await server.database.personalArchive.query(ArchiveQuery(rooms: [aliceJID])).count == 1)
            // To an account that no longer exists: bounced, and not in the sender's archive either.
            alice.send(message(to: bobJID, body: "anyone there?"))
            let bounce = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(bounce) == "service-unavailable")
            #expect(bodies(try await alice.archive(aliceJID).results) == ["for the record"])
        }
    }
}
