import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import XMPPCore

let chatDomain = "chat.\(TestServer.domain)"
let mucUser = "http://jabber.org/protocol/muc#user"

extension TestServer {
    /// Changes the chat directory as the operator would (CLI), through the running service.
    @discardableResult
    func chat<T: Sendable>(_ change: (inout ChatDirectory) throws(ChatRuleError) -> T) async throws -> T {
        try await server.context!.muc.perform(change)
    }

    func user(_ name: String) -> String { "\(name)@\(TestServer.domain)" }

    /// Creates `users` (alice and bob among them), `category` and `room`; alice and bob come
    /// online and join the room as Alice and Bob.
    func aliceAndBob(in room: Room, category: PersistentChat.Category = openCategory(),
                     users: [String] = ["alice", "bob"]) async throws -> (alice: XMPPClient, bob: XMPPClient) {
        for name in users { try await addUser(name) }
        try await chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.createCategory(category, by: .system)
            _ = try d.createRoom(room, by: .system)
        }
        let alice = try await online("alice")
        try await alice.join(room.localpart, as: "Alice")
        let bob = try await online("bob")
        try await bob.join(room.localpart, as: "Bob")
        return (alice, bob)
    }
}

extension XMPPClient {
    /// Joins `room` as `nick`; returns the self-presence (status 110) or the error presence.
    @discardableResult
    func join(_ room: String, as nick: String, history: [String: String]? = nil) async throws -> XMLElement {
        var x = XMLElement("x", namespace: "http://jabber.org/protocol/muc")
        if let history { x.append(XMLElement("history", namespace: "http://jabber.org/protocol/muc", attributes: history)) }
        let to = "\(room)@\(chatDomain)/\(nick)"
        send(XMLElement("presence", namespace: NS.client, attributes: ["to": to], children: [.element(x)]))
        return try await expect { presence in
            presence.name == "presence" && presence[attribute: "from"] == to
                && (presence[attribute: "type"] == "error" || statusCodes(presence).contains(110))
        }
    }

    func say(_ room: String, _ body: String) {
        send(message(to: "\(room)@\(chatDomain)", body: body, type: "groupchat"))
    }

    /// The next groupchat message with a body from `room`.
    func heard(in room: String, timeout: Duration? = nil) async throws -> XMLElement {
        try await expect(timeout: timeout) {
            $0.name == "message" && $0[attribute: "type"] == "groupchat" && $0[attribute: "from"]?.hasPrefix("\(room)@\(chatDomain)/") == true
                && $0.child("body", namespace: NS.client) != nil
        }
    }

    func query(_ to: String, _ namespace: String, type: String = "get", _ children: [XMLElement] = [], name: String = "query") async throws -> XMLElement {
        try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": type, "to": to],
                                     children: [.element(XMLElement(name, namespace: namespace, children: children.map { .element($0) }))]))
    }

    /// A round trip to `room`: the room handles stanzas in order and what it sends one client
    /// arrives in order, so everything it sent this client before has arrived when this returns.
    func roundTrip(with room: String) async throws {
        let reply = try await query("\(room)@\(chatDomain)", NS.discoInfo)
        guard reply[attribute: "type"] == "result" else { throw ClientError("disco#info to \(room) failed") }
    }

    /// The rooms the service lists for this user.
    func listedRooms() async throws -> [String] {
        let items = try await query(chatDomain, NS.discoItems)
        return items.child("query", namespace: NS.discoItems)?.elements.compactMap { $0[attribute: "jid"] } ?? []
    }
}

func statusCodes(_ presence: XMLElement) -> [Int] {
    presence.child("x", namespace: mucUser)?.children("status", namespace: mucUser).compactMap { $0[attribute: "code"].flatMap(Int.init) } ?? []
}

func mucItem(_ presence: XMLElement) -> XMLElement? {
    presence.child("x", namespace: mucUser)?.child("item", namespace: mucUser)
}

/// A category everyone on the test domain is in, with `creators`.
func openCategory(_ name: String = "Eng", creators: [String] = [], invitations: Bool = false, history: Bool = true) -> Category {
    Category(name: name, allowed: [.domain(TestServer.domain)], creators: creators.map { .user($0) },
             invitations: invitations, chatHistory: history)
}
