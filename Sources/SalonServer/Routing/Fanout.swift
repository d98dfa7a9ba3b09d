import NIOCore
import XMPPCore

/// One stanza to many recipients, the way a room broadcasts: serialised once with each `to`
/// spliced in, one task per event loop for the sessions it serves, flushes coalesced per
/// channel. Recipients without a local session (components, sessions just gone) are routed.
struct Fanout {
    let sessions: SessionRegistry
    unowned let router: Router

    func deliver(_ element: XMLElement, to recipients: [JID]) {
        deliver(element, serialized: SplicedStanza(element, parentNamespace: NS.client), to: recipients)
    }

    /// `spliced` is `element` already serialised for client streams.
    func deliver(_ element: XMLElement, serialized spliced: SplicedStanza, to recipients: [JID]) {
        var byLoop: [ObjectIdentifier: (loop: EventLoop, targets: [(XMPPStream, [UInt8])])] = [:]
        for (recipient, session) in zip(recipients, sessions.sessions(recipients)) {
            guard let stream = session?.stream else {
                var copy = element
                copy[attribute: "to"] = recipient.description
                _ = router.route(copy)
                continue
            }
            byLoop[ObjectIdentifier(stream.eventLoop), default: (stream.eventLoop, [])].targets
                .append((stream, SplicedStanza.address(recipient.description)))
        }
        for (loop, targets) in byLoop.values {
            if loop.inEventLoop {
                Self.write(spliced, to: targets)
            } else {
                loop.execute { Self.write(spliced, to: targets) }
            }
        }
    }

    private static func write(_ spliced: SplicedStanza, to targets: [(XMPPStream, [UInt8])]) {
        for (stream, address) in targets {
            var buffer = stream.channel.allocator.buffer(capacity: spliced.head.count + address.count + spliced.tail.count)
            buffer.writeBytes(spliced.head)
            buffer.writeBytes(address)
            buffer.writeBytes(spliced.tail)
            stream.deliver(bytes: buffer)
        }
    }
}
