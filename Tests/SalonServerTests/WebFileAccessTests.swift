import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// `members` download mode also takes a session of the room pages: a browser signed in there
/// follows a file link without a second password prompt, and only while the user may read the room.
@Suite("Room pages: file downloads with a session")
struct WebFileAccessTests {
    @Test("A signed-in member downloads; a signed-in non-member gets 403; no session and no password gets 401")
    func sessionDownloads() async throws {
        try await withServer(configure: { $0.http.upload.downloadMode = .members }) { server async throws in
            let room = Room(localpart: "design", name: "Design", category: "Eng", privacy: .closed,
                            members: [.user("alice@salon.test"), .user("bob@salon.test")])
            let (alice, _) = try await server.aliceAndBob(in: room, category: filesCategory(), users: ["alice", "bob", "carol"])
            let slot = try await server.upload("for members", by: alice)
            alice.share(slot.get, in: "design")
            _ = try await alice.heard(in: "design")

            #expect(try await server.get(slot.getTarget).status == 401)
            let bob = WebBrowser(port: server.httpPort)
            try await bob.signIn("bob", password: "pw-bob")
            let download = try await bob.get(slot.getTarget)
            #expect(download.status == 200)
            #expect(download.text == "for members")
            let carol = WebBrowser(port: server.httpPort)
            try await carol.signIn("carol", password: "pw-carol")
            #expect(try await carol.get(slot.getTarget).status == 403)
            // A session that ended proves nothing.
            let token = try #require(bob.session)
            try await bob.submit(on: "/rooms", to: "/rooms/sign-out", [])
            #expect(try await server.get(slot.getTarget, headers: ["Cookie": "salon_session=\(token)"]).status == 401)
        }
    }
}
