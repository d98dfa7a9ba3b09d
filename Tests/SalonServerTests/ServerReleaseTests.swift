import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// A stopped server lets go of everything it made: its services must not keep one another
/// alive through references back and forth (a process that starts and stops servers, like this
/// test suite, would otherwise keep every one of them).
struct ServerReleaseTests {
    @Test("A stopped server's context, router, rooms and services are all freed")
    func stoppedServerIsReleased() async throws {
        let server = try await TestServer.start()
        let probes = try await Self.exercise(server)
        #expect(probes.contains { $0.name == "room" && $0.object() != nil }, "a room was active while the server ran")
        await server.stop()
        server.removeFiles()
        // Names only: a survivor is not printed (its unowned references may point at freed objects).
        let survivors = probes.filter { $0.object() != nil }.map(\.name)
        #expect(survivors.isEmpty, "outlive the stopped server: \(survivors)")
    }

    /// A weak reference to one of the server's objects, by name.
    struct Probe {
        let name: String
        let object: () -> AnyObject?

        init(_ name: String, _ object: AnyObject?) {
            self.name = name
            weak let weakObject = object
            self.object = { weakObject }
        }
    }

    /// Uses what makes references between services: a room with a message, a 1:1 message to an
    /// offline account, service discovery on the server and the rooms service, a client that
    /// leaves. Returns weak references to what the server made.
    private static func exercise(_ server: TestServer) async throws -> [Probe] {
        let (alice, bob) = try await server.aliceAndBob(in: Room(localpart: "lounge", name: "Lounge", category: "Eng", privacy: .open))
        alice.say("lounge", "hello")
        _ = try await bob.heard(in: "lounge")
        try await server.addUser("carol")
        alice.send(message(to: server.user("carol"), body: "later"))
        _ = try await alice.query(chatDomain, NS.discoItems)
        _ = try await alice.query(TestServer.domain, NS.discoItems)
        try await alice.ping()
        await bob.close()
        let context = try #require(server.server.context)
        return [
            Probe("context", context), Probe("router", context.router), Probe("muc", context.muc),
            Probe("room", context.muc.liveRooms.first), Probe("sessions", context.sessions), Probe("pep", context.pep),
            Probe("presence", context.presence), Probe("followedRooms", context.followedRooms),
            Probe("accountEndpoint", context.accountEndpoint), Probe("push", context.push), Probe("rosters", context.rosters),
            Probe("upload", context.upload), Probe("fileRoutes", context.fileRoutes), Probe("webRoutes", context.webRoutes),
        ]
    }
}
