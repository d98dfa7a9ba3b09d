import Logging
import NIOCore
import Synchronization

/// Caps simultaneous connections to one listener, in total and per remote address. Each
/// listener has its own, so a flood on one port cannot use up another port's capacity.
final class ConnectionCounter: Sendable {
    enum Admission: Equatable {
        case admitted
        /// `report`: how many refusals to log now (this one included), or nil to stay quiet.
        case refused(limit: String, report: Int?)
    }

    private struct State {
        var total = 0
        var perAddress: [String: Int] = [:]
        var refusedSinceReport = 0
        var lastReport: NIODeadline?
    }

    private let maxTotal: Int
    private let maxPerAddress: Int
    private let state = Mutex(State())
    /// The metrics of this listener's kind, and whether its connections start encrypted.
    let gauges: ConnectionGauges?
    let startsWithTLS: Bool
    /// Refusals come in floods: the first is logged, then at most one summary per interval.
    static let reportInterval = TimeAmount.seconds(60)

    init(maxTotal: Int, maxPerAddress: Int, gauges: ConnectionGauges? = nil, startsWithTLS: Bool = false) {
        self.maxTotal = maxTotal
        self.maxPerAddress = maxPerAddress
        self.gauges = gauges
        self.startsWithTLS = startsWithTLS
    }

    /// Takes a slot for `address`, or says which limit refused it.
    func admit(_ address: String, now: NIODeadline = .now()) -> Admission {
        state.withLock { state in
            let current = state.perAddress[address, default: 0]
            let limit: String
            if state.total >= maxTotal {
                limit = "max \(maxTotal) in total"
            } else if current >= maxPerAddress {
                limit = "max \(maxPerAddress) per address"
            } else {
                state.total += 1
                state.perAddress[address] = current + 1
                return .admitted
            }
            state.refusedSinceReport += 1
            if let last = state.lastReport, now - last < Self.reportInterval { return .refused(limit: limit, report: nil) }
            defer { state.refusedSinceReport = 0; state.lastReport = now }
            return .refused(limit: limit, report: state.refusedSinceReport)
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
    private let logger: Logger
    private var admittedAddress: String?
    /// Whether TLS protects the connection now (it may start plain and upgrade by STARTTLS).
    private var encrypted = false

    init(counter: ConnectionCounter, logger: Logger) {
        self.counter = counter
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard case .refused(let limit, let report) = counter.admit(address) else {
            admittedAddress = address
            encrypted = counter.startsWithTLS
            counter.gauges?.opened(tls: encrypted)
            return context.fireChannelActive()
        }
        counter.gauges?.wasRefused()
        if let report {
            logger.warning("connection refused: listener full (refused: how many since the last such line)", metadata: [
                "address": "\(address)", "limit": "\(limit)", "refused": "\(report)",
            ])
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let address = admittedAddress {
            counter.release(address)
            counter.gauges?.closed(tls: encrypted)
            admittedAddress = nil
        }
        context.fireChannelInactive()
    }

    /// STARTTLS succeeded: the connection counts as encrypted from now on.
    func upgradedToTLS() {
        guard admittedAddress != nil, !encrypted else { return }
        encrypted = true
        counter.gauges?.upgraded()
    }
}
