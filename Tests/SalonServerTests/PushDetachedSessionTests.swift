import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Push notifications for sessions waiting to be resumed (XEP-0357 with XEP-0198)")
struct PushDetachedSessionTests {
    let domain = TestServer.domain

    @Test("A phone whose connection dropped is woken for a direct message and a mention of the nick it bookmarked, not for the room's chatter")
    func detachedSessionIsWoken() async throws {
        let log = LogCapture()
        try await withServer(components: [Push.service: Push.secret], log: log) { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: Room(localpart: "design", name: "Design", category: "Eng", privacy: .open))
            let (push, error) = try await ComponentPeer.connect(port: server.ports.component!, domain: Push.service, secret: Push.secret)
            #expect(error == nil)
            #expect(try await alice.request(Push.enable(node: "phone"))[attribute: "type"] == "result")
            // The nick the room knows her by comes from her bookmark (no XEP-0352 on this stream).
            let conference = XMLElement("conference", namespace: PersonalStorage.bookmarks, attributes: ["autojoin": "true"], children: [
                .element(XMLElement("nick", namespace: PersonalStorage.bookmarks, children: [.text("Alice")])),
            ])
            #expect(try await alice.request(PubSubWire.publish(node: PersonalStorage.bookmarks, id: "design@\(chatDomain)", payload: conference,
                                                               options: ["pubsub#access_model": "whitelist"]))[attribute: "type"] == "result")
            let id = try #require(try await alice.enableStreamManagement()[attribute: "id"])
            await alice.dropConnection()
            try await log.waitFor("stream management: detached")

            bob.say("design", "hello all")
            bob.say("design", "alice, have a look")
            let mention = try await Push.nextPublish(push)
            #expect(Push.summary(mention).form?.values("last-message-sender") == ["design@\(chatDomain)/Bob"])
            Push.answer(mention, on: push)
            bob.send(message(to: "alice@\(domain)", body: "call me"))
            let direct = try await Push.nextPublish(push)
            #expect(Push.summary(direct).form?.values("last-message-sender") == [bob.jid.description])
            Push.answer(direct, on: push)
            try await Push.barrier(from: bob, to: push)
            #expect(!push.client.unclaimed.contains { $0.name == "iq" })

            // Back on the stream: everything that waited arrives, and nothing was lost to the push.
            let (resumed, answer) = try await server.resume("alice", previd: id, h: alice.streamManagement.handled)
            #expect(answer.name == "resumed")
            _ = try await resumed.bodyMessage(from: bob.jid.description)
            #expect(resumed.groupchatBodies.suffix(2) == ["hello all", "alice, have a look"])
        }
    }
}
