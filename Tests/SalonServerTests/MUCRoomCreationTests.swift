import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// Creating a room by joining it (XEP-0045 §10.1): the creator stays in the room throughout,
/// as manager and member, and the standard muc#roomconfig fields map onto the model.
@Suite("Room creation by join over the wire")
struct MUCRoomCreationTests {
    let owner = "http://jabber.org/protocol/muc#owner"
    let roomConfig = "http://jabber.org/protocol/muc#roomconfig"

    func setUp(_ server: TestServer, category: Category? = nil) async throws {
        for name in ["alice", "bob", "root"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(category ?? openCategory(creators: [server.user("alice")]), by: .system)
            try d.addAdministrator(server.user("root"), by: .system)
        }
    }

    func submit(_ client: XMPPClient, _ localpart: String, _ fields: [String: [String]]) async throws -> XMLElement {
        let form = DataForm(type: .submit, formType: roomConfig, fields: fields.map { DataForm.Field($0.key, values: $0.value) })
        return try await client.query("\(localpart)@\(chatDomain)", owner, type: "set", [form.element])
    }

    func text(_ error: XMLElement) -> String {
        error.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text ?? ""
    }

    /// Posts and waits for the room's echo of that very message.
    func postAndHear(_ client: XMPPClient, _ localpart: String, _ body: String) async throws {
        client.say(localpart, body)
        let heard = try await client.heard(in: localpart)
        #expect(heard.child("body", namespace: NS.client)?.text == body)
    }

    /// Nothing from the room told `client` it had to leave.
    func expectNotEjected(_ client: XMPPClient, from localpart: String) async throws {
        try await client.ping()
        #expect(!client.unclaimed.contains {
            $0.name == "presence" && $0[attribute: "type"] == "unavailable" && $0[attribute: "from"]?.hasPrefix("\(localpart)@") == true
        })
    }

    @Test("A Creator or an administrator accepts the instant room, stays, posts, leaves and comes back", arguments: ["alice", "root"])
    func instantRoom(_ name: String) async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let client = try await server.online(name)
            let joined = try await client.join("instant", as: "Maker")
            #expect(statusCodes(joined).contains(201))
            #expect(mucItem(joined)?[attribute: "affiliation"] == "owner")
            // The (empty) subject ends the join, as clients expect (XEP-0045 §7.2.15).
            let subject = try await client.expect { $0.name == "message" && $0.child("subject", namespace: NS.client) != nil }
            #expect(subject[attribute: "from"] == "instant@\(chatDomain)")

            // Locked until configured, and told so.
            client.say("instant", "too early")
            let early = try await client.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(early) == "not-allowed")
            #expect(text(early).contains("locked until you configure it"))

            // XEP-0045 §10.1.2: an empty submitted form accepts the defaults.
            let accepted = try await client.query("instant@\(chatDomain)", owner, type: "set",
                                                  [DataForm(type: .submit, formType: nil, fields: []).element])
            #expect(accepted[attribute: "type"] == "result")
            try await expectNotEjected(client, from: "instant")
            let room = try #require(server.muc.directory.rooms["instant"])
            #expect(room.privacy == .closed && room.category == "Eng")
            #expect(room.managers == [.user(server.user(name))] && room.members == [.user(server.user(name))])
            try await postAndHear(client, "instant", "hello")

            client.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "instant@\(chatDomain)/Maker", "type": "unavailable"]))
            _ = try await client.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" }
            let back = try await client.join("instant", as: "Maker")
            #expect(back[attribute: "type"] == nil)
            #expect(!statusCodes(back).contains(201))
            #expect(mucItem(back)?[attribute: "affiliation"] == "owner")
            _ = try await client.heard(in: "instant")  // the history
            try await postAndHear(client, "instant", "back again")
        }
    }

    @Test("A reserved room takes the standard fields: members-only, listed, name, moderated", arguments: ["alice", "root"])
    func reservedRoom(_ name: String) async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let client = try await server.online(name)
            #expect(statusCodes(try await client.join("plan", as: "Maker")).contains(201))
            let answer = try await client.query("plan@\(chatDomain)", owner)
            let form = try #require(answer.child("query", namespace: owner)?.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            for variable in ["muc#roomconfig_roomname", "muc#roomconfig_roomdesc", "muc#roomconfig_membersonly", "muc#roomconfig_publicroom",
                             "muc#roomconfig_moderatedroom", "muc#roomconfig_allowinvites", "muc#roomconfig_persistentroom",
                             "muc#roomconfig_whois", "muc#roomconfig_changesubject", "muc#roomconfig_enablearchiving"] {
                #expect(form[variable] != nil, "\(variable)")
            }
            #expect(!form.fields.contains { $0.options.contains { $0.value.isEmpty } })
            #expect(form.values("muc#roomconfig_persistentroom") == ["1"])

            let saved = try await submit(client, "plan", [
                "muc#roomconfig_roomname": ["Planning"], "muc#roomconfig_membersonly": ["1"],
                "muc#roomconfig_publicroom": ["0"], "muc#roomconfig_moderatedroom": ["0"], "muc#roomconfig_persistentroom": ["0"],
            ])
            #expect(saved[attribute: "type"] == "result", "\(text(saved))")
            try await expectNotEjected(client, from: "plan")
            let room = try #require(server.muc.directory.rooms["plan"])
            #expect(room.name == "Planning" && room.privacy == .secret && room.type == .normal)
            try await postAndHear(client, "plan", "planned")

            // Open and moderated, through the standard fields alone.
            let open = try await submit(client, "plan", ["muc#roomconfig_membersonly": ["0"], "muc#roomconfig_publicroom": ["1"],
                                                         "muc#roomconfig_moderatedroom": ["1"]])
            #expect(open[attribute: "type"] == "result", "\(text(open))")
            let reopened = try #require(server.muc.directory.rooms["plan"])
            #expect(reopened.privacy == .open && reopened.type == .auditorium)
            let bob = try await server.online("bob")
            #expect(try await bob.join("plan", as: "Bob")[attribute: "type"] == nil)
        }
    }

    @Test("A value the model cannot honour is refused with the rule's text and changes nothing")
    func refusedValues() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            _ = try await alice.join("fixed", as: "Alice")
            #expect(try await submit(alice, "fixed", [:])[attribute: "type"] == "result")
            let before = try #require(server.muc.directory.rooms["fixed"])
            let refusals: [([String: [String]], String)] = [
                (["muc#roomconfig_whois": ["moderators"]], "real addresses"),
                (["muc#roomconfig_changesubject": ["1"]], "Only the room's managers change its subject"),
                (["muc#roomconfig_enablearchiving": ["0"]], "category Eng"),
                (["muc#roomconfig_allowinvites": ["1"]], "Invitations are off in category Eng"),
                (["muc#roomconfig_membersonly": ["0"], "muc#roomconfig_publicroom": ["0"]], "always listed"),
                (["muc#roomconfig_moderatedroom": ["maybe"], "muc#roomconfig_roomname": ["Renamed"]], "not a boolean"),
            ]
            for (fields, expected) in refusals {
                let refused = try await submit(alice, "fixed", fields)
                #expect(errorCondition(refused) == "not-acceptable", "\(fields)")
                #expect(text(refused).contains(expected), "\(text(refused))")
            }
            #expect(server.muc.directory.rooms["fixed"] == before)
            // The values the model has are accepted as they are.
            let same = try await submit(alice, "fixed", ["muc#roomconfig_whois": ["anyone"], "muc#roomconfig_changesubject": ["0"],
                                                         "muc#roomconfig_enablearchiving": ["1"], "muc#roomconfig_allowinvites": ["0"]])
            #expect(same[attribute: "type"] == "result", "\(text(same))")
            try await expectNotEjected(alice, from: "fixed")
        }
    }

    @Test("An administrator outside the category's scope is told why, not locked out of the room they made")
    func administratorOutOfScope() async throws {
        try await withServer { server async throws in
            let alice = server.user("alice")
            try await setUp(server, category: Category(name: "Eng", allowed: [.user(alice)], creators: [.user(alice)]))
            let root = try await server.online("root")
            #expect(statusCodes(try await root.join("outside", as: "Root")).contains(201))
            let refused = try await submit(root, "outside", ["urn:salon:persistent-chat#category": ["Eng"]])
            #expect(errorCondition(refused) == "not-acceptable")
            #expect(text(refused).contains("outside the scope of category Eng"), "\(text(refused))")
            #expect(server.muc.directory.rooms["outside"] == nil)
            try await expectNotEjected(root, from: "outside")
        }
    }

    @Test("The add-in list offers None with a value (an empty one crashes Profanity); choosing it clears the add-in")
    func addInNone() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createAddIn(AddIn(name: "Wiki", url: "https://wiki.example.com"), by: .system)
            }
            let alice = try await server.online("alice")
            _ = try await alice.join("tools", as: "Alice")
            let answer = try await alice.query("tools@\(chatDomain)", owner)
            let form = try #require(answer.child("query", namespace: owner)?.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            let addIn = try #require(form["urn:salon:persistent-chat#addin"])
            #expect(addIn.options.map(\.value) == ["(none)", "Wiki"])
            #expect(addIn.values == ["(none)"])
            #expect(try await submit(alice, "tools", ["urn:salon:persistent-chat#addin": ["Wiki"]])[attribute: "type"] == "result")
            #expect(server.muc.directory.rooms["tools"]?.addIn == "Wiki")
            #expect(try await submit(alice, "tools", ["urn:salon:persistent-chat#addin": ["(none)"]])[attribute: "type"] == "result")
            #expect(server.muc.directory.rooms["tools"]?.addIn == nil)
        }
    }

    @Test("Others cannot enter a room while it is locked")
    func lockedForOthers() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let alice = try await server.online("alice")
            _ = try await alice.join("busy", as: "Alice")
            let root = try await server.online("root")
            #expect(errorCondition(try await root.join("busy", as: "Root")) == "item-not-found")
        }
    }
}
