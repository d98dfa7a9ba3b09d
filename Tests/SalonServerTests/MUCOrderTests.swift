import PersistentChat
import SalonClient
import Testing
import XMPPCore

@Suite("What a room sends each occupant arrives in the order the room sent it")
struct MUCOrderTests {
    @Test("A burst of messages, private messages and the sender's leaving reach every occupant in order, on every event loop, archived or not",
          arguments: [false, true])
    func messagesThenLeave(archived: Bool) async throws {
        try await withServer { server async throws in
            let names = ["alice", "bob", "carol", "dave", "erin", "fay"]
            for name in names { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(history: archived), by: .system)
                _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open), by: .system)
            }
            // Connections spread over the server's event loops, so some listeners share the
            // room's loop and some do not.
            var listeners: [XMPPClient] = []
            for name in names.dropFirst() {
                let client = try await server.online(name)
                try await client.join("lobby", as: name)
                listeners.append(client)
            }
            let alice = try await server.online("alice")
            try await alice.join("lobby", as: "alice")
            let bodies = (0..<50).map { "message \($0)" }
            var burst: [UInt8] = []
            for body in bodies {
                message(to: "lobby@\(chatDomain)", body: body, type: "groupchat").serialize(into: &burst, parentNamespace: NS.client)
            }
            // Relayed to each session on its own, not through the room's fan-out.
            for name in names.dropFirst() {
                message(to: "lobby@\(chatDomain)/\(name)", body: "private", type: "chat").serialize(into: &burst, parentNamespace: NS.client)
            }
            XMLElement("presence", namespace: NS.client, attributes: ["to": "lobby@\(chatDomain)/alice", "type": "unavailable"])
                .serialize(into: &burst, parentNamespace: NS.client)
            alice.sendRaw(burst)

            for listener in listeners {
                var heard: [String] = []
                while true {
                    let stanza = try await listener.expect {
                        $0[attribute: "from"] == "lobby@\(chatDomain)/alice" && ($0.name == "message" || $0[attribute: "type"] == "unavailable")
                    }
                    if stanza.name == "presence" { heard.append("left"); break }
                    heard.append(stanza.child("body", namespace: NS.client)?.text ?? "")
                }
                #expect(heard == bodies + ["private", "left"])
            }
        }
    }
}
