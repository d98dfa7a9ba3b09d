import Hummingbird
import HummingbirdCore
import NIOCore

/// Raised in a route reading a request body that took longer than `http.request_timeout`.
struct RequestDeadlineExceeded: Error, CustomStringConvertible {
    var description: String { "the request took longer than its deadline to arrive" }
}

/// The whole of a request, from its head to the end of its body, must arrive within the
/// deadline: an upload trickled just fast enough to beat the idle timeout is still cut off.
/// Past it, the body the route is reading fails with `RequestDeadlineExceeded` (the route
/// answers and cleans up) and, as the stream has failed, Hummingbird closes the connection.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP1Channel.Value.InboundPart
    typealias InboundOut = InboundIn

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            timer?.cancel()
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: deadline) {
                self.timer = nil
                context.fireErrorCaught(RequestDeadlineExceeded())
            }
        case .end:
            timer?.cancel()
            timer = nil
        case .body:
            break
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
}

extension NIOAsyncChannel {
    /// Hummingbird's request parts, named through its channel so no further package is declared.
    typealias InboundPart = Inbound
}
