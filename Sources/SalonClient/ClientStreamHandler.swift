import NIOCore
import SalonSecurity
import XMPPCore

/// Parses what the server sends and fills the inbox. Stream restarts happen here, on the
/// event loop, at the exact byte where they must: after `<proceed/>` (TLS is inserted at once)
/// and after `<success/>`.
final class ClientStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let parser: XMLStreamParser
    private let inbox: Inbox
    private let streamManagement: ClientStreamManagement
    private let tls: TLSContext?
    private let serverName: String
    private let tlsSession: TLSSession?
    private(set) var tlsHandler: OpenSSLHandler?

    init(inbox: Inbox, tls: TLSContext?, serverName: String, existingTLS: OpenSSLHandler?,
         tlsSession: TLSSession? = nil, streamManagement: ClientStreamManagement) {
        self.streamManagement = streamManagement
        self.parser = XMLStreamParser(limits: XMLStreamLimits(maxStanzaBytes: 16 << 20, maxDepth: 64))
        self.inbox = inbox
        self.tls = tls
        self.serverName = serverName
        self.tlsHandler = existingTLS
        self.tlsSession = tlsSession
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var events: [XMLStreamEvent] = []
        var failure: XMLStreamError?
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(XMLStreamError) in try parser.feed(bytes, into: &events) }
        } catch {
            failure = error
        }
        for event in events {
            switch event {
            case .streamOpened(let header):
                inbox.push(.header(header))
            case .stanza(let element):
                if let answer = streamManagement.received(element) {
                    var bytes: [UInt8] = []
                    answer.serialize(into: &bytes, parentNamespace: NS.client)
                    context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                }
                inbox.push(.element(element))
                if element.namespace == NS.tls, element.name == "proceed", let tls {
                    let handler = OpenSSLHandler(context: tls, role: .client(serverName: serverName), offering: tlsSession)
                    try? context.pipeline.syncOperations.addHandler(handler, position: .first)
                    tlsHandler = handler
                    parser.reset()
                    return
                }
                if element.namespace == NS.sasl, element.name == "success" {
                    parser.reset()
                    return
                }
                if element.namespace == NS.streams, element.name == "error" {
                    let condition = element.elements.first { $0.namespace == NS.streamErrors && $0.name != "text" }?.name ?? "unknown"
                    inbox.push(.end("stream error \(condition)"))
                }
            case .streamClosed:
                inbox.push(.end("stream closed"))
            }
        }
        if let failure {
            inbox.push(.end("unparsable input: \(failure.condition.rawValue) \(failure.text)"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.push(.end("connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        inbox.push(.end("error: \(error)"))
        context.close(promise: nil)
    }
}
