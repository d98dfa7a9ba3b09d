import Foundation
import PersistentChat
import SalonAdmin
import SalonClient
import SalonSecurity
@testable import SalonServer
import SalonStore
import Testing
import XMPPCore

/// Files belong to rooms: the category gate, the auditorium rule, the reference stored with
/// the archived message, revocation when the message or the room goes, `members` downloads.
@Suite("Files in rooms")
struct FileRoomTests {
    let domain = TestServer.domain

    func design(type: RoomType = .normal, privacy: RoomPrivacy = .closed) -> Room {
        Room(localpart: "design", name: "Design", category: "Eng", type: type, privacy: privacy,
             members: [.user("alice@salon.test"), .user("bob@salon.test")], managers: [.user("alice@salon.test")],
             presenters: type == .auditorium ? [.user("alice@salon.test")] : [])
    }

    /// Shares a new upload in the room and waits until the room broadcast it.
    func share(_ content: String, by client: XMPPClient, on server: TestServer) async throws -> (GrantedSlot, XMLElement) {
        let slot = try await server.upload(content, by: client)
        client.share(slot.get, in: "design")
        return (slot, try await client.heard(in: "design"))
    }

    @Test("A category without files refuses the post with not-allowed naming it; one with files stores the reference")
    func categoryGate() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: design(), category: filesCategory(files: false))
            let slot = try await server.upload("hello", by: alice)
            alice.share(slot.get, in: "design")
            let refused = try await alice.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "not-allowed")
            let text = refused.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text
            #expect(text == "Files are not allowed in rooms of category Eng.")
            // Links to elsewhere are not files of this server.
            alice.say("design", "see https://example.org/files/\(slot.id)/x")
            #expect(try await bob.heard(in: "design").child("body", namespace: NS.client)?.text.hasPrefix("see") == true)
            _ = try await alice.heard(in: "design")

            _ = try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.updateCategory(named: "Eng", by: .system) { (c: inout PersistentChat.Category) throws(ChatRuleError) in c.fileUpload = true }
            }
            let (posted, message) = try await share("hello", by: alice, on: server)
            let stanzaID = message.child("stanza-id", namespace: "urn:xmpp:sid:0")?[attribute: "id"]
            let record = try #require(try await server.database.files.file(id: posted.id))
            #expect(record.room == "design" && record.stanzaID == stanzaID && record.uploader == "alice@\(domain)")
            #expect(record.sha256 == Hex.encode(Crypto.hash(.sha256, Array("hello".utf8))))
            #expect(try await bob.heard(in: "design").child("body", namespace: NS.client)?.text == posted.get)
            #expect(try await server.get(posted.getTarget).text == "hello")
        }
    }

    @Test("In an auditorium only presenters post files")
    func auditorium() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: design(type: .auditorium), category: filesCategory())
            let slot = try await server.upload("from bob", by: bob)
            bob.share(slot.get, in: "design")
            let refused = try await bob.expect { $0.name == "message" && $0[attribute: "type"] == "error" }
            #expect(errorCondition(refused) == "forbidden")
            #expect(try await server.database.files.file(id: slot.id)?.room == nil)
            _ = try await share("from alice", by: alice, on: server)
        }
    }

    @Test("Moderation, removal, replacement, clearing and room deletion revoke files (410) and the sweep deletes them")
    func revocation() async throws {
        try await withServer { server async throws in
            let (alice, _) = try await server.aliceAndBob(in: design(), category: filesCategory())
            let (moderated, message) = try await share("one", by: alice, on: server)
            let removed = try await share("two", by: alice, on: server).0
            let replaced = try await share("three", by: alice, on: server).0
            let cleared = try await share("four", by: alice, on: server).0
            let kept = try await share("five", by: alice, on: server).0

            let id = try #require(message.child("stanza-id", namespace: "urn:xmpp:sid:0")?[attribute: "id"])
            let retract = XMLElement("moderate", namespace: "urn:xmpp:message-moderate:1", attributes: ["id": id],
                                     children: [.element(XMLElement("retract", namespace: "urn:xmpp:message-retract:1"))])
            let answer = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": "design@\(chatDomain)"],
                                                            children: [.element(retract)]))
            #expect(answer[attribute: "type"] == "result")
            #expect(try await server.get(moderated.getTarget).status == 410)

            let admin = ArchiveAdministration(database: server.database)
            #expect(try await admin.remove(room: "design", authors: [], from: nil, to: nil, text: TextFilter(removed.id), replacement: nil) == 1)
            #expect(try await server.get(removed.getTarget).status == 410)
            #expect(try await admin.remove(room: "design", authors: [], from: nil, to: nil, text: TextFilter(replaced.id), replacement: "[removed]") == 1)
            #expect(try await server.get(replaced.getTarget).status == 410)
            let fourth = try #require(try await server.archived("design").first { $0.body == cleared.get })
            _ = try await admin.clear(room: "design", until: fourth.timestamp)
            #expect(try await server.get(cleared.getTarget).status == 410)
            #expect(try await server.get(kept.getTarget).status == 200)

            let routes = try #require(server.server.context?.fileRoutes)
            #expect(await FileSweeper.sweep(routes, now: Date(), logger: .init(label: "test")) == 4)
            let onDisk = try FileManager.default.contentsOfDirectory(atPath: server.directory + "/data/files").filter { $0 != "partial" }
            #expect(onDisk == [kept.id])

            try await server.addUser("root")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.addAdministrator("root@salon.test", by: .system) }
            let root = try await server.online("root")
            let destroyed = try await root.query("design@\(chatDomain)", "http://jabber.org/protocol/muc#owner", type: "set",
                                                 [XMLElement("destroy", namespace: "http://jabber.org/protocol/muc#owner")])
            #expect(destroyed[attribute: "type"] == "result")
            #expect(try await server.get(kept.getTarget).status == 410)
        }
    }

    @Test("A file posted in a room without history is tied to it too")
    func roomWithoutHistory() async throws {
        try await withServer { server async throws in
            var category = filesCategory()
            category.chatHistory = false
            let (alice, bob) = try await server.aliceAndBob(in: design(), category: category)
            let (slot, _) = try await share("no history", by: alice, on: server)
            _ = try await bob.heard(in: "design")
            var record = try await server.database.files.file(id: slot.id)
            while record?.room == nil {
                try await alice.roundTrip(with: "design")
                record = try await server.database.files.file(id: slot.id)
            }
            #expect(record?.room == "design")
        }
    }

    @Test("1:1 sharing: an upload never posted in a room is served until the sweep after its lifetime, then 410")
    func unpostedFilesExpire() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let slot = try await server.upload("for bob only", by: alice)
            #expect(try await server.get(slot.getTarget).status == 200)
            let routes = try #require(server.server.context?.fileRoutes)
            #expect(await FileSweeper.sweep(routes, now: Date(), logger: .init(label: "test")) == 0)
            let later = Date().addingTimeInterval(routes.configuration.slotLifetime + routes.configuration.unpostedLifetime + 60)
            #expect(await FileSweeper.sweep(routes, now: later, logger: .init(label: "test")) == 1)
            #expect(try await server.get(slot.getTarget).status == 410)
            #expect(!FileManager.default.fileExists(atPath: server.directory + "/data/files/\(slot.id)"))
        }
    }

    @Test("members mode: Basic credentials of someone who may read the room; others get 401 or 403")
    func membersMode() async throws {
        try await withServer(configure: { $0.http.upload.downloadMode = .members }) { server async throws in
            let (alice, _) = try await server.aliceAndBob(in: design(), category: filesCategory(), users: ["alice", "bob", "carol"])
            let (slot, _) = try await share("members only", by: alice, on: server)
            func basic(_ user: String, _ password: String) -> [String: String] {
                ["Authorization": "Basic " + Base64.encode(Array("\(user):\(password)".utf8))]
            }
            let anonymous = try await server.get(slot.getTarget)
            #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
            #expect(try await server.get(slot.getTarget, headers: basic("bob", "wrong")).status == 401)
            #expect(try await server.get(slot.getTarget, headers: basic("bob", "pw-bob")).text == "members only")
            #expect(try await server.get(slot.getTarget, headers: basic("bob@\(domain)", "pw-bob")).status == 200)
            #expect(try await server.get(slot.getTarget, headers: basic("carol", "pw-carol")).status == 403)
            // Membership is asked at each download.
            _ = try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.updateRoom("design", by: .system) { (r: inout Room) throws(ChatRuleError) in r.members = [.user("alice@salon.test")] }
            }
            #expect(try await server.get(slot.getTarget, headers: basic("bob", "pw-bob")).status == 403)
        }
    }

    @Test("Administrators list and remove files with ad-hoc commands; others do not see them")
    func adHocCommands() async throws {
        try await withServer { server async throws in
            let (alice, _) = try await server.aliceAndBob(in: design(), category: filesCategory(), users: ["alice", "bob", "root"])
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.addAdministrator("root@salon.test", by: .system) }
            let (slot, _) = try await share("listed", by: alice, on: server)
            #expect(try await alice.commandNodes().contains("file-list") == false)
            let root = try await server.online("root")
            #expect(try await root.commandNodes().contains("file-remove"))
            let listing = try await root.runCommand("file-list", [["room": ["design"]]])
            #expect(listing.succeeded)
            #expect(listing.form?.values("files").first?.hasPrefix(slot.id) == true)
            let removal = try await root.runCommand("file-remove", [["id": [slot.id]]])
            #expect(removal.succeeded)
            #expect(try await server.get(slot.getTarget).status == 410)
            #expect(!FileManager.default.fileExists(atPath: server.directory + "/data/files/\(slot.id)"))
            let again = try await root.runCommand("file-remove", [["id": [slot.id]]])
            #expect(again.note?.type == "error")
        }
    }
}
