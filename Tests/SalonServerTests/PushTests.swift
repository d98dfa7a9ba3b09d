import Foundation
import SalonClient
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing
import XMPPCore

@Suite("Push notifications (XEP-0357)")
struct PushTests {
    let domain = TestServer.domain
    let components = [Push.service: Push.secret]

    /// Alice signed in without presence: no session receives her messages, so they go to
    /// offline storage and wake her registered devices.
    private func absentAlice(_ server: TestServer) async throws -> XMPPClient {
        try await server.addUser("alice")
        return try await server.login("alice")
    }

    private func pushService(_ server: TestServer) async throws -> ComponentPeer {
        let (component, error) = try await ComponentPeer.connect(port: server.ports.component!, domain: Push.service, secret: Push.secret)
        #expect(error == nil)
        return component
    }

    @Test("Enable is advertised on the account, a message for an absent account publishes a summary without the body, with the device's publish options")
    func notificationWithoutBody() async throws {
        try await withServer(components: components) { server async throws in
            let alice = try await absentAlice(server)
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let push = try await pushService(server)

            let info = try await alice.request(PubSubWire.iq("get", to: "alice@\(domain)", XMLElement("query", namespace: NS.discoInfo)))
            #expect(info.child("query", namespace: NS.discoInfo)?.children("feature", namespace: NS.discoInfo)
                .contains { $0[attribute: "var"] == Push.ns } == true)

            let enabled = try await alice.request(Push.enable(node: "device-1", options: ["secret": "s3cr3t"]))
            #expect(enabled[attribute: "type"] == "result")

            bob.send(message(to: "alice@\(domain)", body: "wake up"))
            let publish = try await Push.nextPublish(push)
            #expect(publish[attribute: "type"] == "set")
            #expect(publish[attribute: "from"] == domain)
            let (node, form) = Push.summary(publish)
            #expect(node == "device-1")
            #expect(form?.formType == "urn:xmpp:push:summary")
            #expect(form?.values("message-count") == ["1"])
            #expect(form?.values("last-message-sender") == [bob.jid.description])
            #expect(form?["last-message-body"] == nil)
            #expect(Push.publishOptions(publish)?.values("secret") == ["s3cr3t"])
            Push.answer(publish, on: push)

            // The count is what waits offline.
            bob.send(message(to: "alice@\(domain)", body: "still there?"))
            #expect(Push.summary(try await Push.nextPublish(push)).form?.values("message-count") == ["2"])

            // Chat states, receipts and the like wake no one.
            bob.send(XMLElement("message", namespace: NS.client, attributes: ["to": "alice@\(domain)", "type": "chat"], children: [
                .element(XMLElement("composing", namespace: "http://jabber.org/protocol/chatstates")),
            ]))
            try await Push.barrier(from: bob, to: push)
            #expect(!push.client.unclaimed.contains { $0.name == "iq" })

            // An available session receives the message: nothing is published.
            let online = try await server.online("alice", resource: "phone")
            bob.send(message(to: "alice@\(domain)", body: "you are here"))
            _ = try await online.expect { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "you are here" }
            try await Push.barrier(from: bob, to: push)
            #expect(!push.client.unclaimed.contains { $0.name == "iq" })
        }
    }

    @Test("push.include_body puts the text in the summary")
    func notificationWithBody() async throws {
        try await withServer(components: components, configure: { $0.pushIncludesBody = true }) { server async throws in
            let alice = try await absentAlice(server)
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let push = try await pushService(server)
            #expect(try await alice.request(Push.enable(node: "n"))[attribute: "type"] == "result")
            bob.send(message(to: "alice@\(domain)/gone", body: "Wherefore art thou?"))
            let publish = try await Push.nextPublish(push)
            #expect(Push.summary(publish).form?.values("last-message-body") == ["Wherefore art thou?"])
            #expect(Push.publishOptions(publish) == nil)
        }
    }

    @Test("An error from the push service disables that registration and no other; operators read why, never the device's token or secret")
    func errorDisables() async throws {
        let log = LogCapture()
        try await withServer(components: components, log: log) { server async throws in
            let alice = try await absentAlice(server)
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let push = try await pushService(server)
            #expect(try await alice.request(Push.enable(node: "old-phone", options: ["secret": "device-secret"]))[attribute: "type"] == "result")
            #expect(try await alice.request(Push.enable(node: "new-phone"))[attribute: "type"] == "result")

            bob.send(message(to: "alice@\(domain)", body: "one"))
            let first = try await Push.nextPublish(push)
            let second = try await Push.nextPublish(push)
            let failing = Push.summary(first).node == "old-phone" ? first : second
            let working = Push.summary(first).node == "old-phone" ? second : first
            Push.answer(failing, on: push, error: "item-not-found")
            Push.answer(working, on: push)
            // The server has read both answers once it answers a ping sent after them.
            _ = try await push.client.request(XMLElement("iq", namespace: NS.component, attributes: [
                "type": "get", "from": Push.service, "to": domain,
            ], children: [.element(XMLElement("ping", namespace: NS.ping))]))

            bob.send(message(to: "alice@\(domain)", body: "two"))
            let next = try await Push.nextPublish(push)
            #expect(Push.summary(next).node == "new-phone")
            try await Push.barrier(from: bob, to: push)
            #expect(!push.client.unclaimed.contains { $0.name == "iq" })

            #expect(log.lines("push enabled").count == 2)
            let disabled = log.lines("push registration disabled")
            #expect(disabled.count == 1)
            #expect(disabled.first?.contains("account=alice@\(domain)") == true && disabled.first?.contains("cause=item-not-found") == true)
            #expect(!log.lines("push enabled").contains { $0.contains("phone") || $0.contains("device-secret") })
            #expect(!disabled.contains { $0.contains("old-phone") })
        }
    }

    @Test("Disable removes one node, or every node of a service; a disabled device is sent nothing")
    func disable() async throws {
        try await withServer(components: components) { server async throws in
            let alice = try await absentAlice(server)
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let push = try await pushService(server)
            for node in ["a", "b", "c"] {
                #expect(try await alice.request(Push.enable(node: node))[attribute: "type"] == "result")
            }
            #expect(try await alice.request(Push.disable(node: "a"))[attribute: "type"] == "result")
            #expect(try await server.database.push.registrations(owner: "alice@\(domain)").map(\.node) == ["b", "c"])
            #expect(try await alice.request(Push.disable())[attribute: "type"] == "result")
            #expect(try await server.database.push.registrations(owner: "alice@\(domain)").isEmpty)
            bob.send(message(to: "alice@\(domain)", body: "anyone?"))
            try await Push.barrier(from: bob, to: push)
            #expect(!push.client.unclaimed.contains { $0.name == "iq" })
        }
    }

    @Test("A push service ends a registration with an affiliation change (XEP-0357 §8); one from anyone else changes nothing")
    func remoteDisabling() async throws {
        try await withServer(components: components) { server async throws in
            let alice = try await absentAlice(server)
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let push = try await pushService(server)
            for node in ["gone", "kept"] {
                #expect(try await alice.request(Push.enable(node: node))[attribute: "type"] == "result")
            }
            let revocation = { (node: String) in
                XMLElement("pubsub", namespace: PubSubWire.ns, attributes: ["node": node], children: [
                    .element(XMLElement("affiliation", namespace: PubSubWire.ns, attributes: ["jid": "alice@\(domain)", "affiliation": "none"])),
                ])
            }
            // Bob cannot speak for the push service.
            bob.send(XMLElement("message", namespace: NS.client, attributes: ["to": "alice@\(domain)"], children: [.element(revocation("kept"))]))
            try await bob.ping()
            push.send("<message from='\(Push.service)' to='alice@\(domain)'>\(revocation("gone").serialized())</message>")
            // The component's stream handles the message (and its storage work) before the ping.
            _ = try await push.client.request(XMLElement("iq", namespace: NS.component, attributes: [
                "type": "get", "from": Push.service, "to": domain,
            ], children: [.element(XMLElement("ping", namespace: NS.ping))]))
            #expect(try await server.database.push.registrations(owner: "alice@\(domain)").map(\.node) == ["kept"])
        }
    }

    @Test("Registrations are bounded per account, re-enabling replaces the options, bad requests are refused, others may not enable")
    func limitsAndRefusals() async throws {
        try await withServer(components: components, configure: { $0.limits.pushRegistrations = 2 }) { server async throws in
            let alice = try await absentAlice(server)
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            #expect(try await alice.request(Push.enable(node: "a"))[attribute: "type"] == "result")
            #expect(try await alice.request(Push.enable(node: "b"))[attribute: "type"] == "result")
            #expect(errorCondition(try await alice.request(Push.enable(node: "c"))) == "not-allowed")
            #expect(try await alice.request(Push.enable(node: "b", options: ["secret": "x"]))[attribute: "type"] == "result")
            let stored = try await server.database.push.registrations(owner: "alice@\(domain)")
            #expect(stored.map(\.node) == ["a", "b"])
            #expect(stored[1].options?.contains("x") == true)

            var noJID = Push.enable(node: "d")
            noJID = PubSubWire.iq("set", XMLElement("enable", namespace: Push.ns, attributes: ["node": "d"]))
            #expect(errorCondition(try await alice.request(noJID)) == "bad-request")
            var badForm = XMLElement("enable", namespace: Push.ns, attributes: ["jid": Push.service, "node": "d"])
            badForm.append(DataForm(type: .submit, formType: "urn:example:other").element)
            #expect(errorCondition(try await alice.request(PubSubWire.iq("set", badForm))) == "bad-request")
            #expect(errorCondition(try await alice.request(Push.enable(node: String(repeating: "n", count: 2000)))) == "not-acceptable")
            #expect(errorCondition(try await bob.request(PubSubWire.iq("set", to: "alice@\(domain)",
                XMLElement("enable", namespace: Push.ns, attributes: ["jid": Push.service, "node": "evil"])))) == "forbidden")
            #expect(try await server.database.push.registrations(owner: "alice@\(domain)").count == 2)
        }
    }

    @Test("Notifications to one registration are rate-limited")
    func rateLimit() async throws {
        try await withServer(components: components, configure: { $0.limits.pushBurst = 2; $0.limits.pushPerMinute = 1 }) { server async throws in
            let alice = try await absentAlice(server)
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let push = try await pushService(server)
            #expect(try await alice.request(Push.enable(node: "n"))[attribute: "type"] == "result")
            for text in ["1", "2", "3"] { bob.send(message(to: "alice@\(domain)", body: text)) }
            _ = try await Push.nextPublish(push)
            _ = try await Push.nextPublish(push)
            try await Push.barrier(from: bob, to: push)
            #expect(!push.client.unclaimed.contains { $0.name == "iq" })
        }
    }

    @Test("Registrations survive a restart")
    func survivesRestart() async throws {
        let directory = ScratchDirectory.path("salon-push")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await TestServer.start(components: components, directory: directory)
        try await first.addUser("alice")
        try await first.addUser("bob")
        let alice = try await first.login("alice")
        #expect(try await alice.request(Push.enable(node: "kept"))[attribute: "type"] == "result")
        await first.stop()

        let second = try await TestServer.start(components: components, directory: directory)
        do {
            let push = try await pushService(second)
            let bob = try await second.online("bob")
            bob.send(message(to: "alice@\(domain)", body: "after restart"))
            #expect(Push.summary(try await Push.nextPublish(push)).node == "kept")
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()
    }

    @Test("A room message wakes the phone per the room's XEP-0492 setting in the bookmark: mentions by default, never when muted, always when asked")
    func roomMessages() async throws {
        try await withServer(components: components) { server async throws in
            let alice = try await absentAlice(server)
            try await server.addUser("bob")
            let bob = try await server.online("bob")
            let push = try await pushService(server)
            #expect(try await alice.request(Push.enable(node: "n"))[attribute: "type"] == "result")
            let context = try #require(server.server.context)
            let account = try JID("alice@\(domain)")
            let room = "lobby@chat.\(domain)", quiet = "quiet@chat.\(domain)", loud = "loud@chat.\(domain)"
            for (jid, setting) in [(quiet, "never"), (loud, "always")] {
                let notify = XMLElement("notify", namespace: RoomNotificationSetting.ns, children: [.element(XMLElement(setting, namespace: RoomNotificationSetting.ns))])
                let conference = XMLElement("conference", namespace: PersonalStorage.bookmarks, attributes: ["autojoin": "true"], children: [
                    .element(XMLElement("extensions", namespace: PersonalStorage.bookmarks, children: [.element(notify)])),
                ])
                #expect(try await alice.request(PubSubWire.publish(node: PersonalStorage.bookmarks, id: jid, payload: conference,
                                                                   options: ["pubsub#access_model": "whitelist", "pubsub#max_items": "max"]))[attribute: "type"] == "result")
            }
            func post(_ room: String, _ text: String, by nick: String = "bob") -> XMLElement {
                var post = message(to: "alice@\(domain)/phone", body: text, type: "groupchat")
                post[attribute: "from"] = "\(room)/\(nick)"
                return post
            }
            // No setting: a mention wakes, other chatter does not, nor the user's own post.
            await context.push.notify(account: account, stanza: post(room, "hello all"), roomNick: "Alice")
            await context.push.notify(account: account, stanza: post(room, "alice, look"), roomNick: "Alice")
            await context.push.notify(account: account, stanza: post(room, "my own alice", by: "Alice"), roomNick: "Alice")
            // Muted: not even a mention.
            await context.push.notify(account: account, stanza: post(quiet, "alice!"), roomNick: "Alice")
            // Always: any message, even with no nickname known.
            await context.push.notify(account: account, stanza: post(loud, "news"), roomNick: nil)
            let first = try await Push.nextPublish(push)
            let second = try await Push.nextPublish(push)
            #expect(Push.summary(first).form?.values("last-message-sender") == ["\(room)/bob"])
            #expect(Push.summary(second).form?.values("last-message-sender") == ["\(loud)/bob"])
            try await Push.barrier(from: bob, to: push)
            #expect(!push.client.unclaimed.contains { $0.name == "iq" })
        }
    }
}
