import Synchronization
import Testing
import XMPPCore
@testable import SalonServer

/// Offline delivery at login and the writes to offline storage still under way (#18 item 5's
/// race, found by loaded runs of ClosingStreamTests): driven here in a fixed order instead.
@Suite struct OfflineDeliveryOrderTests {
    @Test("A message still being written to offline storage when its recipient logs in is delivered at that login")
    func writeUnderWayAtLogin() async throws {
        try await withServer { server async throws in
            let alice = try await server.addUser("alice"), bob = try await server.addUser("bob")
            let router = try #require(server.server.context?.router)
            // Bob's offline writes are held until his login's delivery waits for them; had it not
            // waited, they stay held until that login is over.
            let held = Gate()
            defer { held.open() }
            router.offlineOrder.waitObserver.withLock { $0 = { owner in if owner == bob { held.open() } } }
            _ = router.offlineOrder.enqueue(for: bob) { await held.passed() }
            // A message for bob while he is offline, past its archiving: its write queues behind.
            let sender = try JID(alice.description + "/desk")
            var stanza = message(to: bob.description, body: "written while bob logs in")
            stanza[attribute: "from"] = sender.description
            _ = router.deliverToAccount(try #require(Stanza(stanza)), to: bob, from: sender)
            // Initial presence, then a ping: its answer follows the login's offline delivery.
            let client = try await server.online("bob")
            #expect(client.unclaimed.contains { $0.name == "message" && $0.child("body", namespace: NS.client)?.text == "written while bob logs in" })
        }
    }
}

/// Opens once; whoever waits at it, before or after, then passes.
final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func passed() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.waiting.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }
}
