import Hummingbird
import NIOCore

/// The request context of Salon's HTTP routes: Hummingbird's basics and the peer's address,
/// which the sign-in throttle counts failures by.
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
