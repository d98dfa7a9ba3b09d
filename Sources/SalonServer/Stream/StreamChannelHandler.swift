import NIOCore

/// The NIO end of an `XMPPStream`: hands inbound bytes to the stream, enforces the per-stream
/// byte rate, turns idleness and connection loss into stream events.
final class StreamChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let stream: XMPPStream
    private var bucket: TokenBucket
    private var quiet: QuietPeriods
    /// The one pending resume while reading is paused for the rate.
    private var resumeTask: Scheduled<Void>?

    /// `quiet` must match the read timeout of the `IdleStateHandler` before this handler.
    init(stream: XMPPStream, bytesPerSecond: Int, burstBytes: Int, quiet: QuietPeriods) {
        self.stream = stream
        self.bucket = TokenBucket(ratePerSecond: Double(bytesPerSecond), burst: burstBytes)
        self.quiet = quiet
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let wait = bucket.consume(buffer.readableBytes, now: .now())
        let afterSilence = quiet.read()
        stream.feed(buffer)
        // A keepalive or a lone stanza after a silence: the peer is likely quiet again, so the
        // parser goes back at once rather than after another period. Busy streams never get here.
        if afterSilence, quiet.releasesParser { stream.parkParser() }
        if let wait, resumeTask == nil {
            // Over the sustained rate: stop reading until the bucket has refilled.
            stream.setRatePaused(true)
            scheduleResume(after: wait, on: context.eventLoop)
        }
    }

    /// Reads that were already under way when reading paused add to the debt, so the bucket
    /// is asked again when the wait is over, and reading resumes only once it is out of debt.
    private func scheduleResume(after wait: TimeAmount, on loop: EventLoop) {
        resumeTask = loop.assumeIsolated().scheduleTask(in: wait) { [self] in
            if let more = bucket.consume(0, now: .now()) {
                scheduleResume(after: more, on: loop)
            } else {
                resumeTask = nil
                stream.setRatePaused(false)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            if quiet.releasesParser { stream.parkParser() }
            if quiet.periodElapsed() { stream.owner?.streamDidIdle(stream) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        resumeTask?.cancel()
        resumeTask = nil
        stream.didDisconnect()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // TLS failures, resets: nothing to say on a broken transport; just go.
        stream.logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
