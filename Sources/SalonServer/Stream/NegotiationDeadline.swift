import NIOCore

extension XMPPStream {
    /// Ends the stream with connection-timeout unless `isNegotiated()` holds once `seconds` have
    /// passed. The idle timer is not enough on its own: any byte resets it, so a peer that never
    /// authenticates could hold its connection (and a connection slot) for as long as it likes.
    /// The owner cancels the returned task once negotiated or disconnected.
    func negotiationDeadline(seconds: Double, isNegotiated: @escaping @Sendable () -> Bool) -> Scheduled<Void> {
        eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { [self] in
            if !isNegotiated() { fail(.connectionTimeout, text: "Negotiation took too long.") }
        }
    }
}
