import NIOCore

/// The NIO end of an `XMPPStream`: hands inbound bytes to the stream, enforces the per-stream
/// byte rate, turns idleness and connection loss into stream events.
final class StreamChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let stream: XMPPStream
    private var bucket: TokenBucket

    init(stream: XMPPStream, bytesPerSecond: Int, burstBytes: Int) {
        self.stream = stream
        self.bucket = TokenBucket(ratePerSecond: Double(bytesPerSecond), burst: burstBytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let wait = bucket.consume(buffer.readableBytes, now: .now())
        stream.feed(buffer)
        if let wait {
            // Over the sustained rate: stop reading until the bucket has refilled.
            stream.setRatePaused(true)
            context.eventLoop.scheduleTask(in: wait) { [stream] in stream.setRatePaused(false) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            stream.owner?.streamDidIdle(stream)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stream.didDisconnect()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // TLS failures, resets: nothing to say on a broken transport; just go.
        stream.logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
