import Hummingbird
import NIOCore

/// The request context of Salon's HTTP routes: Hummingbird's basic one plus the peer's address
/// (`/metrics` answers only the peers it allows; the room pages' sign-in throttle counts by it).
struct SalonRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address as the login throttle keys it.
    var peerAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
