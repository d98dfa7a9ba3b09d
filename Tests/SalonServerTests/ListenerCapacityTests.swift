import Foundation
import NIOCore
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Each listener has its own connection caps")
struct ListenerCapacityTests {
    @Test("Silent connections filling the component port leave client logins alone")
    func componentFloodSparesClients() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"], configure: {
            // The same per-address cap on both ports: shared, the component connections would use up the clients'.
            $0.limits.maxConnectionsPerAddress = 2
            $0.limits.componentMaxConnections = 10
            $0.limits.componentMaxConnectionsPerAddress = 2
        }) { server async throws in
            try await server.addUser("alice")
            let port = server.ports.component!
            var silent: [XMPPClient] = []
            for _ in 0..<2 {
                let client = try await ComponentPeer.open(port: port, domain: "bot.salon.test")
                _ = try await client.expectHeader()  // admitted
                silent.append(client)
            }
            try await expectClosedByServer(port: port, sending: "<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='bot.salon.test'>")
            let alice = try await server.login("alice")
            try await alice.ping()
            await alice.close()
            for client in silent { await client.close() }
        }
    }

    @Test("The component port's total cap refuses further connections")
    func componentTotalCap() async throws {
        try await withServer(components: ["bot.salon.test": "s3cret"], configure: {
            $0.limits.componentMaxConnections = 1
        }) { server async throws in
            let port = server.ports.component!
            let first = try await ComponentPeer.open(port: port, domain: "bot.salon.test")
            _ = try await first.expectHeader()
            try await expectClosedByServer(port: port, sending: "<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='bot.salon.test'>")
            await first.close()
        }
    }

    @Test("Refusals are counted, and reported once per interval rather than once each")
    func refusalReports() {
        let counter = ConnectionCounter(maxTotal: 1, maxPerAddress: 1)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(counter.admit("10.0.0.1", now: start) == .admitted)
        #expect(counter.admit("10.0.0.1", now: start) == .refused(limit: "max 1 in total", report: 1))
        #expect(counter.admit("10.0.0.2", now: start + .seconds(1)) == .refused(limit: "max 1 in total", report: nil))
        #expect(counter.admit("10.0.0.2", now: start + .seconds(2)) == .refused(limit: "max 1 in total", report: nil))
        #expect(counter.admit("10.0.0.2", now: start + ConnectionCounter.reportInterval) == .refused(limit: "max 1 in total", report: 3))
        counter.release("10.0.0.1")
        #expect(counter.admit("10.0.0.2", now: start) == .admitted)
        #expect(counter.total == 1)
    }
}
