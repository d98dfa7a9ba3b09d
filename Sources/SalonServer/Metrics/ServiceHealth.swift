import Synchronization

/// What `/health` tells a load balancer: serving until shutdown begins, then shutting down (the
/// HTTP server stays up while the streams close, so the balancer sees 503 rather than nothing).
final class ServiceHealth: Sendable {
    private let stopping = Atomic(false)

    var isServing: Bool { !stopping.load(ordering: .relaxed) }

    func beginShutdown() {
        stopping.store(true, ordering: .relaxed)
    }
}
