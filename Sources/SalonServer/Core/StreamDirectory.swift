import Synchronization

/// Every open stream, so shutdown can close them all.
final class StreamDirectory: Sendable {
    private let streams = Mutex<[ObjectIdentifier: XMPPStream]>([:])

    func add(_ stream: XMPPStream) {
        streams.withLock { $0[ObjectIdentifier(stream)] = stream }
        stream.channel.closeFuture.whenComplete { [self] _ in
            streams.withLock { $0[ObjectIdentifier(stream)] = nil }
        }
    }

    var all: [XMPPStream] { streams.withLock { Array($0.values) } }
}
