import NIOCore
import Synchronization

/// Caps simultaneous connections, in total and per remote address.
final class ConnectionCounter: Sendable {
    private let maxTotal: Int
    private let maxPerAddress: Int
    private let state = Mutex<(total: Int, perAddress: [String: Int])>((0, [:]))

    init(maxTotal: Int, maxPerAddress: Int) {
        self.maxTotal = maxTotal
        self.maxPerAddress = maxPerAddress
    }

    /// Takes a slot for `address`; false when a limit is reached.
    func admit(_ address: String) -> Bool {
        state.withLock { state in
            let current = state.perAddress[address, default: 0]
            guard state.total < maxTotal, current < maxPerAddress else { return false }
            state.total += 1
            state.perAddress[address] = current + 1
            return true
        }
    }

    func release(_ address: String) {
        state.withLock { state in
            state.total -= 1
            let left = state.perAddress[address, default: 1] - 1
            state.perAddress[address] = left > 0 ? left : nil
        }
    }

    var total: Int { state.withLock { $0.total } }
}

/// First handler of every accepted connection: admits it or closes it at once.
final class ConnectionLimitHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let counter: ConnectionCounter
    private var admittedAddress: String?

    init(counter: ConnectionCounter) { self.counter = counter }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.admit(address) else {
            context.close(promise: nil)
            return
        }
        admittedAddress = address
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let address = admittedAddress {
            counter.release(address)
            admittedAddress = nil
        }
        context.fireChannelInactive()
    }
}
