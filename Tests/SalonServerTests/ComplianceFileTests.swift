import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import SalonStore
import Testing
import XMPPCore

/// FILEUPLOAD, FILEDOWNLOAD and MODERATION through the wire; every download recorded, compliance
/// on or off.
@Suite("Compliance: files and moderation")
struct ComplianceFileTests {
    func design() -> Room {
        Room(localpart: "design", name: "Design", category: "Eng", privacy: .closed,
             members: [.user("alice@salon.test"), .user("bob@salon.test")], managers: [.user("alice@salon.test")])
    }

    @Test("Uploads and downloads are journaled before they are answered; every download is recorded")
    func files() async throws {
        try await withServer(configure: ComplianceRecordingTests.on) { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: design(), category: filesCategory())
            let slot = try await server.upload("hello", by: alice)
            alice.share(slot.get, in: "design")
            _ = try await bob.heard(in: "design")
            let got = try await server.get(slot.getTarget, headers: ["Range": "bytes=1-3"])
            #expect(got.status == 206)

            let downloads = try await server.database.files.downloads(of: slot.id)
            #expect(downloads.count == 1 && downloads[0].range == 1...3 && downloads[0].room == "design" && downloads[0].account == nil)
            let events = try await server.database.compliance.events(1...Int64.max).filter { $0.type.hasPrefix("FILE") }
            #expect(events.map(\.type) == ["FILEUPLOAD", "FILEDOWNLOAD"])
            #expect(events[0].actorBare == "alice@salon.test")
            #expect(events[0].payload.contains("\"name\":\"notes.txt\""))
            #expect(events[1].actorBare == "anonymous" && events[1].room == "design")
            #expect(events[1].payload.contains("\"range\":\"1-3\""))
        }
    }

    @Test("Downloads are recorded with compliance off too, and nothing is journaled")
    func downloadsWithoutCompliance() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: design(), category: filesCategory())
            let slot = try await server.upload("hello", by: alice)
            alice.share(slot.get, in: "design")
            _ = try await bob.heard(in: "design")
            #expect(try await server.get(slot.getTarget).status == 200)
            #expect(try await server.database.files.downloads(of: slot.id).map(\.range) == [0...4])
            #expect(try await server.database.compliance.counts().total == 0)
        }
    }

    @Test("A moderated message's old text is journaled before the retraction is confirmed")
    func moderation() async throws {
        try await withServer(configure: ComplianceRecordingTests.on) { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: design(), category: filesCategory())
            bob.say("design", "regrettable")
            let message = try await alice.heard(in: "design")
            let id = try #require(message.child("stanza-id", namespace: "urn:xmpp:sid:0")?[attribute: "id"])
            let retract = XMLElement("moderate", namespace: "urn:xmpp:message-moderate:1", attributes: ["id": id],
                                     children: [.element(XMLElement("retract", namespace: "urn:xmpp:message-retract:1")),
                                                .element(.text("reason", namespace: "urn:xmpp:message-moderate:1", "spam"))])
            let answer = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": "design@\(chatDomain)"],
                                                            children: [.element(retract)]))
            #expect(answer[attribute: "type"] == "result")
            let event = try #require(try await server.database.compliance.events(1...Int64.max).last)
            #expect(event.type == "MODERATION" && event.actorBare == "alice@salon.test" && event.room == "design")
            #expect(event.payload == #"{"what":"message retracted","target":"\#(id)","before":"regrettable","after":"spam"}"#)
        }
    }
}
