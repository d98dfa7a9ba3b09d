import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Persistent-chat rooms over XEP-0045")
struct MUCTests {
    let domain = TestServer.domain

    /// alice manages "design" (Closed) with bob as member; carol is in scope but not a member.
    func setUpRooms(_ server: TestServer, type: RoomType = .normal, privacy: RoomPrivacy = .closed) async throws {
        for name in ["alice", "bob", "carol", "dave"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(), by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design Review", category: "Eng", type: type, privacy: privacy,
                                      members: privacy == .open ? [] : [.user("alice@salon.test"), .user("bob@salon.test")],
                                      managers: [.user("alice@salon.test")],
                                      presenters: type == .auditorium ? [.user("alice@salon.test")] : []), by: .system)
        }
    }

    @Test("Discovery lists exactly the rooms a user may see; a Secret room is invisible to non-members")
    func discovery() async throws {
        try await withServer { server async throws in
            try await setUpRooms(server)
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.createRoom(Room(localpart: "vault", name: "Vault", category: "Eng", privacy: .secret,
                                          members: [.user("alice@salon.test")]), by: .system)
                _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open), by: .system)
            }
            let alice = try await server.online("alice")
            let carol = try await server.online("carol")
            #expect(try await alice.listedRooms().sorted() == ["design@\(chatDomain)", "lobby@\(chatDomain)", "vault@\(chatDomain)"])
            #expect(try await carol.listedRooms().sorted() == ["design@\(chatDomain)", "lobby@\(chatDomain)"])
            let hidden = try await carol.query("vault@\(chatDomain)", NS.discoInfo)
            #expect(errorCondition(hidden) == "item-not-found")

            let info = try await carol.query("design@\(chatDomain)", NS.discoInfo)
            let query = try #require(info.child("query", namespace: NS.discoInfo))
            let features = query.children("feature", namespace: NS.discoInfo).compactMap { $0[attribute: "var"] }
            #expect(features.contains("muc_membersonly") && features.contains("muc_public") && features.contains("muc_persistent"))
            #expect(features.contains("urn:xmpp:occupant-id:0") && features.contains("urn:xmpp:sid:0"))
            #expect(query.child("identity", namespace: NS.discoInfo)?[attribute: "name"] == "Design Review")
            let form = try #require(query.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(form.values("urn:salon:persistent-chat#category") == ["Eng"])
            #expect(form.values("urn:salon:persistent-chat#privacy") == ["closed"])
            #expect(form.values("muc#roominfo_occupants") == ["0"])
        }
    }

    @Test("Members join with 110/100/170, talk with stanza-id and occupant-id; non-members are refused")
    func joinAndTalk() async throws {
        try await withServer { server async throws in
            try await setUpRooms(server)
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let carol = try await server.online("carol")

            let selfPresence = try await alice.join("design", as: "Alice")
            #expect(Set(statusCodes(selfPresence)).isSuperset(of: [110, 100, 170]))
            #expect(mucItem(selfPresence)?[attribute: "affiliation"] == "owner")
            _ = try await alice.expect { $0.name == "message" && $0.child("subject", namespace: NS.client) != nil }

            let bobPresence = try await bob.join("design", as: "Bob")
            #expect(mucItem(bobPresence)?[attribute: "affiliation"] == "member")
            #expect(mucItem(bobPresence)?[attribute: "role"] == "participant")
            let seen = try await alice.expect { $0.name == "presence" && $0[attribute: "from"] == "design@\(chatDomain)/Bob" }
            #expect(mucItem(seen)?[attribute: "jid"] == bob.jid.description)

            let refused = try await carol.join("design", as: "Carol")
            #expect(errorCondition(refused) == "registration-required")

            bob.say("design", "hello room")
            let heard = try await alice.heard(in: "design")
            #expect(heard[attribute: "from"] == "design@\(chatDomain)/Bob")
            let sid = try #require(heard.child("stanza-id", namespace: "urn:xmpp:sid:0"))
            #expect(sid[attribute: "by"] == "design@\(chatDomain)")
            #expect(heard.child("occupant-id", namespace: "urn:xmpp:occupant-id:0")?[attribute: "id"]?.isEmpty == false)
            let echo = try await bob.heard(in: "design")
            #expect(echo.child("stanza-id", namespace: "urn:xmpp:sid:0")?[attribute: "id"] == sid[attribute: "id"])
            // Stored before anyone received it.
            let stored = try await server.archived("design")
            #expect(stored.map(\.body) == ["hello room"])
        }
    }

    @Test("Joiners get history within the limits they ask for, capped by DefaultChatHistory, also after a restart")
    func historyOnJoin() async throws {
        let server = try await TestServer.start()
        try await setUpRooms(server)
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.updateSettings(by: .system) { $0.defaultChatHistory = 5 }
        }
        let alice = try await server.online("alice")
        try await alice.join("design", as: "Alice")
        for n in 1...8 { alice.say("design", "message \(n)") }
        for _ in 1...8 { _ = try await alice.heard(in: "design") }
        let bob = try await server.online("bob")
        try await bob.join("design", as: "Bob", history: ["maxstanzas": "3"])
        var bodies: [String] = []
        for _ in 1...3 { bodies.append(try await bob.heard(in: "design").child("body", namespace: NS.client)!.text) }
        #expect(bodies == ["message 6", "message 7", "message 8"])
        await server.stop()

        let restarted = try await TestServer.start(directory: server.directory)
        let carol = try await restarted.login("bob")
        let delayed = try await carol.join("design", as: "Bob2")
        _ = delayed
        var after: [XMLElement] = []
        for _ in 1...5 { after.append(try await carol.heard(in: "design")) }
        #expect(after.map { $0.child("body", namespace: NS.client)!.text } == (4...8).map { "message \($0)" })
        #expect(after.allSatisfy { $0.child("delay", namespace: NS.delay) != nil })
        await restarted.stop()
        restarted.removeFiles()
    }

    @Test("In an auditorium only presenters post; others are visitors and cannot talk privately")
    func auditorium() async throws {
        try await withServer { server async throws in
            try await setUpRooms(server, type: .auditorium)
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let alicePresence = try await alice.join("design", as: "Alice")
            #expect(mucItem(alicePresence)?[attribute: "role"] == "moderator")
            let bobPresence = try await bob.join("design", as: "Bob")
            #expect(mucItem(bobPresence)?[attribute: "role"] == "visitor")
            bob.say("design", "may I?")
            let refused = try await bob.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "forbidden")
            bob.send(message(to: "design@\(chatDomain)/Alice", body: "psst", type: "chat"))
            let pm = try await bob.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(pm) == "not-allowed")
            alice.say("design", "welcome")
            #expect(try await bob.heard(in: "design").child("body", namespace: NS.client)?.text == "welcome")
        }
    }

    @Test("Nick conflicts are refused; nick changes announce 303")
    func nicknames() async throws {
        try await withServer { server async throws in
            try await setUpRooms(server, privacy: .open)
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.join("design", as: "Alice")
            let conflict = try await bob.join("design", as: "Alice")
            #expect(errorCondition(conflict) == "conflict")
            try await bob.join("design", as: "Bob")
            bob.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "design@\(chatDomain)/Robert"]))
            let change = try await alice.expect { $0.name == "presence" && statusCodes($0).contains(303) }
            #expect(change[attribute: "from"] == "design@\(chatDomain)/Bob")
            #expect(mucItem(change)?[attribute: "nick"] == "Robert")
            _ = try await alice.expect { $0.name == "presence" && $0[attribute: "from"] == "design@\(chatDomain)/Robert" }
            // Private messages work in a normal room.
            bob.send(message(to: "design@\(chatDomain)/Alice", body: "psst", type: "chat"))
            let pm = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "chat" }
            #expect(pm[attribute: "from"] == "design@\(chatDomain)/Robert")
        }
    }

    @Test("Managers change members through muc#admin; principals out of scope are refused with a clear text")
    func memberListChanges() async throws {
        try await withServer { server async throws in
            try await setUpRooms(server)
            try await server.addUser("eve")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateCategory(named: "Eng", by: .system) { (c: inout Category) throws(ChatRuleError) in c.denied = [.user("eve@salon.test")] }
            }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let add = try await alice.query("design@\(chatDomain)", "http://jabber.org/protocol/muc#admin", type: "set",
                                            [XMLElement("item", namespace: "http://jabber.org/protocol/muc#admin", attributes: ["affiliation": "member", "jid": "carol@salon.test"])])
            #expect(add[attribute: "type"] == "result")
            let outOfScope = try await alice.query("design@\(chatDomain)", "http://jabber.org/protocol/muc#admin", type: "set",
                                                   [XMLElement("item", namespace: "http://jabber.org/protocol/muc#admin", attributes: ["affiliation": "member", "jid": "eve@salon.test"])])
            #expect(errorCondition(outOfScope) == "not-allowed")
            #expect(outOfScope.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text.contains("scope") == true)
            let notManager = try await bob.query("design@\(chatDomain)", "http://jabber.org/protocol/muc#admin", type: "set",
                                                 [XMLElement("item", namespace: "http://jabber.org/protocol/muc#admin", attributes: ["affiliation": "member", "jid": "dave@salon.test"])])
            #expect(errorCondition(notManager) == "forbidden")
            let list = try await bob.query("design@\(chatDomain)", "http://jabber.org/protocol/muc#admin",
                                           [XMLElement("item", namespace: "http://jabber.org/protocol/muc#admin", attributes: ["affiliation": "member"])])
            let members = list.child("query", namespace: "http://jabber.org/protocol/muc#admin")?.elements.compactMap { $0[attribute: "jid"] } ?? []
            #expect(Set(members) == ["alice@salon.test", "bob@salon.test", "carol@salon.test"])
            let carol = try await server.online("carol")
            #expect(try await carol.join("design", as: "Carol")[attribute: "type"] == nil)
        }
    }

    @Test("Kick, disable and scope shrink remove occupants; destroy is for administrators only")
    func removals() async throws {
        try await withServer { server async throws in
            try await setUpRooms(server, privacy: .open)
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.addAdministrator("dave@salon.test", by: .system) }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let carol = try await server.online("carol")
            try await alice.join("design", as: "Alice")
            try await bob.join("design", as: "Bob")
            try await carol.join("design", as: "Carol")

            let kick = try await alice.query("design@\(chatDomain)", "http://jabber.org/protocol/muc#admin", type: "set",
                                             [XMLElement("item", namespace: "http://jabber.org/protocol/muc#admin", attributes: ["role": "none", "nick": "Bob"])])
            #expect(kick[attribute: "type"] == "result")
            let kicked = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" && statusCodes($0).contains(307) }
            #expect(statusCodes(kicked).contains(110))

            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateCategory(named: "Eng", by: .system) { (c: inout Category) throws(ChatRuleError) in
                    c.denied = [.user("carol@salon.test")]
                }
            }
            _ = try await carol.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" && statusCodes($0).contains(110) }

            let managerDestroy = try await alice.query("design@\(chatDomain)", "http://jabber.org/protocol/muc#owner", type: "set",
                                                       [XMLElement("destroy", namespace: "http://jabber.org/protocol/muc#owner")])
            #expect(errorCondition(managerDestroy) == "forbidden")

            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateRoom("design", by: .system) { (r: inout Room) throws(ChatRuleError) in r.disabled = true }
            }
            _ = try await alice.expect {
                $0.name == "presence" && $0[attribute: "type"] == "unavailable" && statusCodes($0) == [307, 110]
                    && $0[attribute: "from"] == "design@\(chatDomain)/Alice"
            }
            let rejoin = try await alice.join("design", as: "Alice")
            #expect(errorCondition(rejoin) == "item-not-found")
            #expect(try await alice.listedRooms().isEmpty)

            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateRoom("design", by: .system) { (r: inout Room) throws(ChatRuleError) in r.disabled = false }
            }
            let dave = try await server.online("dave")
            try await alice.join("design", as: "Alice")
            let destroyed = try await dave.query("design@\(chatDomain)", "http://jabber.org/protocol/muc#owner", type: "set",
                                                 [XMLElement("destroy", namespace: "http://jabber.org/protocol/muc#owner")])
            #expect(destroyed[attribute: "type"] == "result")
            let gone = try await alice.expect { $0.name == "presence" && $0.child("x", namespace: mucUser)?.child("destroy", namespace: mucUser) != nil }
            #expect(gone[attribute: "type"] == "unavailable")
            #expect(try await alice.listedRooms().isEmpty)
        }
    }

    @Test("Creators create rooms by joining and choosing the category; others may not")
    func creationByJoin() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(creators: ["alice@salon.test"]), by: .system)
            }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let refused = try await bob.join("newroom", as: "Bob")
            #expect(errorCondition(refused) == "not-allowed")

            let created = try await alice.join("newroom", as: "Alice")
            #expect(statusCodes(created).contains(201))
            let form = try await alice.query("newroom@\(chatDomain)", "http://jabber.org/protocol/muc#owner")
            let fields = try #require(form.child("query", namespace: "http://jabber.org/protocol/muc#owner")?.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(fields["urn:salon:persistent-chat#category"]?.options.map(\.value) == ["Eng"])
            let submit = DataForm(type: .submit, formType: "http://jabber.org/protocol/muc#roomconfig", fields: [
                DataForm.Field("muc#roomconfig_roomname", values: ["New Room"]),
                DataForm.Field("urn:salon:persistent-chat#category", values: ["Eng"]),
                DataForm.Field("urn:salon:persistent-chat#privacy", values: ["open"]),
            ])
            let configured = try await alice.query("newroom@\(chatDomain)", "http://jabber.org/protocol/muc#owner", type: "set", [submit.element])
            #expect(configured[attribute: "type"] == "result")
            let room = try #require(server.server.context?.muc.directory.rooms["newroom"])
            #expect(room.name == "New Room" && room.privacy == .open)
            #expect(room.managers == [.user("alice@salon.test")])
            #expect(try await bob.join("newroom", as: "Bob")[attribute: "type"] == nil)
        }
    }

    @Test("Above ParticipantUpdateLimit joins are not broadcast, but the occupant list stays available")
    func participantUpdateLimit() async throws {
        try await withServer { server async throws in
            try await setUpRooms(server, privacy: .open)
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.updateSettings(by: .system) { $0.participantUpdateLimit = 2 }
            }
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let carol = try await server.online("carol")
            try await alice.join("design", as: "Alice")
            try await bob.join("design", as: "Bob")
            _ = try await alice.expect { $0.name == "presence" && $0[attribute: "from"] == "design@\(chatDomain)/Bob" }
            try await carol.join("design", as: "Carol")
            try await alice.ping()
            #expect(!alice.unclaimed.contains { $0[attribute: "from"] == "design@\(chatDomain)/Carol" })
            #expect(!carol.unclaimed.contains { $0.name == "presence" && $0[attribute: "from"] == "design@\(chatDomain)/Alice" })
            let items = try await carol.query("design@\(chatDomain)", NS.discoItems)
            #expect(items.child("query", namespace: NS.discoItems)?.elements.count == 3)
        }
    }

    @Test("New members get a direct invitation, kept and re-sent at login until they join")
    func invitations() async throws {
        try await withServer { server async throws in
            for name in ["alice", "bob", "carol"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(invitations: true), by: .system)
                _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng", members: [.user("alice@salon.test")],
                                          managers: [.user("alice@salon.test")]), by: .system)
            }
            let bob = try await server.online("bob")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                _ = try d.updateRoom("design", by: .system) { (r: inout Room) throws(ChatRuleError) in
                    r.members += [.user("bob@salon.test"), .user("carol@salon.test")]
                }
            }
            let live = try await bob.expect { $0.child("x", namespace: "jabber:x:conference") != nil }
            #expect(live.child("x", namespace: "jabber:x:conference")?[attribute: "jid"] == "design@\(chatDomain)")

            let carol = try await server.online("carol")
            _ = try await carol.expect { $0.child("x", namespace: "jabber:x:conference") != nil }
            try await carol.join("design", as: "Carol")
            await carol.close()
            // The join is recorded in the background: wait until it is stored.
            var joined = false
            for _ in 0..<500 where !joined {
                joined = try await server.database.chat.hasJoined(user: "carol@salon.test", room: "design")
                if !joined { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(joined)
            let again = try await server.online("carol")
            try await again.ping()
            try await Task.sleep(for: .milliseconds(300))
            #expect(!again.unclaimed.contains { $0.child("x", namespace: "jabber:x:conference") != nil })
        }
    }

    @Test("XEP-0410 self-ping answers joined occupants only; policy off hides everything")
    func selfPingAndPolicy() async throws {
        try await withServer { server async throws in
            try await setUpRooms(server)
            let alice = try await server.online("alice")
            let notJoined = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": "design@\(chatDomain)/Alice"],
                                                               children: [.element(XMLElement("ping", namespace: NS.ping))]))
            #expect(errorCondition(notJoined) == "not-acceptable")
            try await alice.join("design", as: "Alice")
            let joined = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": "design@\(chatDomain)/Alice"],
                                                            children: [.element(XMLElement("ping", namespace: NS.ping))]))
            #expect(joined[attribute: "type"] == "result")

            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.setPolicy(user: "bob@salon.test", enabled: false, by: .system) }
            let bob = try await server.online("bob")
            #expect(try await bob.listedRooms().isEmpty)
            #expect(errorCondition(try await bob.join("design", as: "Bob")) == "item-not-found")
        }
    }
}
