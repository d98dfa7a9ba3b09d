import Hummingbird
import HummingbirdCore
import NIOCore
import SalonSecurity

/// Raised in a route reading a request body that took longer than `http.request_timeout`.
struct RequestDeadlineExceeded: Error, CustomStringConvertible {
    var description: String { "the request took longer than its deadline to arrive" }
}

/// A whole request, headers and body, must arrive within the deadline, counted from the end of
/// the TLS handshake (or the connection's start, without TLS) or the end of the request before
/// it: an upload (or a header) trickled just fast enough to beat the idle timeout is still cut
/// off. Past it, the body the route is reading fails with `RequestDeadlineExceeded` (the route
/// answers and cleans up) and, as the inbound stream has failed, Hummingbird closes the
/// connection once the answer is written. The handshake is not counted: it is mostly the
/// server's own work, slow when the server is busy, and the idle timeout bounds it.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP1Channel.Value.InboundPart
    typealias InboundOut = InboundIn

    private let deadline: TimeAmount
    /// Whether the connection starts with a TLS handshake (the first deadline waits for its end).
    private let afterHandshake: Bool
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount, afterHandshake: Bool) {
        self.deadline = deadline
        self.afterHandshake = afterHandshake
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if !afterHandshake { arm(context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if afterHandshake, event is TLSHandshakeCompleted { arm(context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            // The next request's time starts now.
            arm(context)
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: deadline) {
            self.timer = nil
            context.fireErrorCaught(RequestDeadlineExceeded())
        }
    }
}

extension NIOAsyncChannel {
    /// Hummingbird's request parts, named through its channel so no further package is declared.
    typealias InboundPart = Inbound
}
