import NIOCore

/// Counts the fan-out's deliveries on one connection and lets the driver send more once a read is done.
final class DeliveryCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var scanner = StampScanner()
    private let driver: FanoutDriver

    init(driver: FanoutDriver) { self.driver = driver }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let driver = self.driver
        buffer.withUnsafeReadableBytes { bytes in
            scanner.scan(bytes) { driver.delivered(stampedAt: $0) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        driver.pump()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        driver.connectionLost()
        context.fireChannelInactive()
    }
}

/// Drops whatever a held session receives (presence floods while a room fills), unparsed.
final class DiscardInput: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
