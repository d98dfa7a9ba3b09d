import Foundation
import PersistentChat
import SalonClient
import SalonStore
@testable import SalonServer
import Testing
import XMPPCore

/// Bots are XEP-0114 components that join rooms under their own JIDs, by the same rules as users.
@Suite("Bots as components in rooms")
struct BotTests {
    let botDomain = "bots.salon.test"

    @Test("A component JID that is a member joins, hears and posts; one that is not is refused")
    func botInRoom() async throws {
        try await withServer(components: [botDomain: "s3cret"]) { server async throws in
            try await server.addUser("alice")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(Category(name: "Eng", allowed: [.domain(TestServer.domain), .domain(botDomain)]), by: .system)
                _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng",
                                          members: [.user("alice@salon.test"), .user("helper@\(botDomain)")]), by: .system)
            }
            let (bot, failure) = try await ComponentPeer.connect(port: server.ports.component!, domain: botDomain, secret: "s3cret")
            #expect(failure == nil)
            let occupant = "design@\(chatDomain)/Helper"
            bot.send("<presence from='helper@\(botDomain)/bot' to='\(occupant)'><x xmlns='http://jabber.org/protocol/muc'/></presence>")
            let joined = try await bot.client.expect { $0.name == "presence" && $0[attribute: "from"] == occupant }
            #expect(statusCodes(joined).contains(110))

            let alice = try await server.online("alice")
            try await alice.join("design", as: "Alice")
            alice.say("design", "!ping")
            let heard = try await bot.client.expect { $0.name == "message" && $0.child("body", namespace: NS.component) != nil }
            #expect(heard[attribute: "to"] == "helper@\(botDomain)/bot")
            #expect(heard.child("body", namespace: NS.component)?.text == "!ping")

            bot.send("<message from='helper@\(botDomain)/bot' to='design@\(chatDomain)' type='groupchat'><body>pong</body></message>")
            let answer = try await alice.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "pong" }
            #expect(answer[attribute: "from"] == occupant && answer[attribute: "type"] == "groupchat")
            // The bot's message is archived like anyone's.
            var query = ArchiveQuery(rooms: ["design"])
            query.authors = ["helper@\(botDomain)"]
            #expect(try await server.database.archive.query(query).messages.map(\.body) == ["pong"])

            // A private message to the bot reaches its component (and Alice's archive only).
            alice.send(message(to: occupant, body: "psst, helper"))
            let whispered = try await bot.client.expect { $0.name == "message" && $0.child("body", namespace: NS.component)?.text == "psst, helper" }
            #expect(whispered[attribute: "from"] == "design@\(chatDomain)/Alice")
            #expect(try await server.database.personalArchive.query(ArchiveQuery(rooms: ["alice@salon.test"])).messages.map(\.body)
                    == ["psst, helper"])

            // Another JID of the same component is not a member of this Closed room.
            bot.send("<presence from='intruder@\(botDomain)/x' to='design@\(chatDomain)/Intruder'><x xmlns='http://jabber.org/protocol/muc'/></presence>")
            let refused = try await bot.client.expect { $0.name == "presence" && $0[attribute: "to"] == "intruder@\(botDomain)/x" }
            #expect(refused[attribute: "type"] == "error")
        }
    }
}
