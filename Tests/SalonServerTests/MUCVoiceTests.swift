import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

private let mucAdmin = "http://jabber.org/protocol/muc#admin"
private let mucRequest = "http://jabber.org/protocol/muc#request"

@Suite("Voice: session mutes in Normal rooms, presenters in auditoriums, voice requests (XEP-0045 §7.13, §8.3–8.6)")
struct MUCVoiceTests {
    let room = "design@\(chatDomain)"

    /// alice manages (and presents in) Design, bob is a member; both are in it.
    func setUp(_ server: TestServer, type: RoomType) async throws -> (alice: XMPPClient, bob: XMPPClient) {
        for name in ["alice", "bob"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(openCategory(), by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng", type: type,
                                      members: [.user("alice@salon.test"), .user("bob@salon.test")],
                                      managers: [.user("alice@salon.test")],
                                      presenters: type == .auditorium ? [.user("alice@salon.test")] : []), by: .system)
        }
        let alice = try await server.online("alice")
        try await alice.join("design", as: "Alice")
        let bob = try await server.online("bob")
        try await bob.join("design", as: "Bob")
        return (alice, bob)
    }

    func setRole(_ role: String, of nick: String, by client: XMPPClient) async throws -> XMLElement {
        try await client.query(room, mucAdmin, type: "set", [XMLElement("item", namespace: mucAdmin, attributes: ["role": role, "nick": nick])])
    }

    /// The next presence of `nick` whose role is `role`.
    func presence(of nick: String, role: String, at client: XMPPClient) async throws -> XMLElement {
        let from = "\(room)/\(nick)"
        return try await client.expect { $0.name == "presence" && $0[attribute: "from"] == from && mucItem($0)?[attribute: "role"] == role }
    }

    @Test("A manager mutes an occupant of a Normal room and gives the voice back; the mute ends when the occupant leaves")
    func muteInNormalRoom() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server, type: .normal)
            #expect(try await setRole("visitor", of: "Bob", by: alice)[attribute: "type"] == "result")
            _ = try await presence(of: "Bob", role: "visitor", at: bob)
            bob.say("design", "can I speak?")
            let refused = try await bob.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "forbidden")

            #expect(errorCondition(try await setRole("visitor", of: "Alice", by: alice)) == "forbidden")
            #expect(errorCondition(try await setRole("visitor", of: "Alice", by: bob)) == "forbidden")
            #expect(errorCondition(try await setRole("moderator", of: "Bob", by: alice)) == "not-allowed")
            #expect(errorCondition(try await setRole("visitor", of: "Nobody", by: alice)) == "item-not-found")

            #expect(try await setRole("participant", of: "Bob", by: alice)[attribute: "type"] == "result")
            _ = try await presence(of: "Bob", role: "participant", at: alice)
            bob.say("design", "thanks")
            #expect(try await alice.heard(in: "design").child("body", namespace: NS.client)?.text == "thanks")

            #expect(try await setRole("visitor", of: "Bob", by: alice)[attribute: "type"] == "result")
            _ = try await presence(of: "Bob", role: "visitor", at: bob)
            bob.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "\(room)/Bob", "type": "unavailable"]))
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "type"] == "unavailable" }
            #expect(mucItem(try await bob.join("design", as: "Bob"))?[attribute: "role"] == "participant")
        }
    }

    @Test("In an auditorium a visitor asks for voice, the manager approves through the form: a presenter; revoking removes it")
    func voiceRequestInAuditorium() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await setUp(server, type: .auditorium)
            let request = DataForm(type: .submit, formType: mucRequest, fields: [DataForm.Field("muc#role", values: ["participant"])])
            bob.send(XMLElement("message", namespace: NS.client, attributes: ["to": room], children: [.element(request.element)]))
            let asked = try await alice.expect { $0.name == "message" && $0.child("x", namespace: DataForm.namespace) != nil }
            let form = try #require(asked.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(form.type == .form && form.formType == mucRequest)
            #expect(form["muc#roomnick"]?.value == "Bob" && form["muc#jid"]?.value == bob.jid.description)
            #expect(form.bool("muc#request_allow") == false)

            var answer = form
            answer.type = .submit
            answer.fields = form.fields.map { $0.variable == "muc#request_allow" ? DataForm.Field("muc#request_allow", values: ["true"]) : $0 }
            alice.send(XMLElement("message", namespace: NS.client, attributes: ["to": room], children: [.element(answer.element)]))
            _ = try await presence(of: "Bob", role: "participant", at: bob)
            #expect(try await server.database.chat.loadDirectory().rooms["design"]?.presenters
                    == [.user("alice@salon.test"), .user("bob@salon.test")])

            #expect(try await setRole("visitor", of: "Bob", by: alice)[attribute: "type"] == "result")
            _ = try await presence(of: "Bob", role: "visitor", at: bob)
            #expect(try await server.database.chat.loadDirectory().rooms["design"]?.presenters == [.user("alice@salon.test")])
        }
    }
}
