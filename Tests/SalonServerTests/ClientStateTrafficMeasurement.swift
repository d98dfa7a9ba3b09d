import Foundation
import NIOCore
import PersistentChat
import SalonClient
@testable import SalonServer
import Synchronization
import Testing
import XMPPCore

/// Not a check: a measurement of what XEP-0352 saves, run by hand with
/// `SALON_MEASURE_CSI=1 swift test --skip-build --filter ClientStateTrafficMeasurement`.
/// An observer sits in a busy room (posts, status changes, people leaving and coming back, an
/// occasional mention) once active and once inactive; it counts the bytes and reads it gets
/// (after TLS), which on loopback with paced traffic track the server's writes.
@Suite("Client state traffic (measurement)", .enabled(if: ProcessInfo.processInfo.environment["SALON_MEASURE_CSI"] != nil))
struct ClientStateTrafficMeasurement {
    @Test("Bytes and writes to an observer in a busy room, with and without CSI")
    func measure() async throws {
        for inactive in [false, true] {
            let (bytes, reads) = try await run(inactive: inactive)
            print("CSI measurement: observer \(inactive ? "inactive (CSI)" : "active (no CSI)"): \(bytes) bytes in \(reads) reads")
        }
    }

    private func run(inactive: Bool) async throws -> (bytes: Int, reads: Int) {
        var result = (0, 0)
        try await withServer { server async throws in
            let talkers = (1...5).map { "talker\($0)" }
            for name in ["observer"] + talkers { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                _ = try d.createRoom(Room(localpart: "busy", name: "Busy", category: "Eng", privacy: .open), by: .system)
            }
            let observer = try await server.online("observer")
            try await observer.clientState(active: true)
            try await observer.join("busy", as: "Observer")
            var clients: [XMPPClient] = []
            for name in talkers {
                let client = try await server.online(name)
                try await client.join("busy", as: name)
                clients.append(client)
            }
            try await observer.roundTrip(with: "busy")
            let counter = ReadCounter()
            try await observer.replaceParser { counter }
            if inactive { observer.send(XMLElement("inactive", namespace: "urn:xmpp:csi:0")) }

            for step in 1...300 {
                let client = clients[step % clients.count]
                let nick = talkers[step % clients.count]
                switch step % 10 {
                case 3, 7:  // a status change
                    client.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "busy@\(chatDomain)/\(nick)"],
                                           children: [.element(textElement("status", namespace: NS.client, "status \(step)"))]))
                    try await client.roundTrip(with: "busy")
                case 5:  // leaves and comes back
                    client.send(XMLElement("presence", namespace: NS.client, attributes: ["to": "busy@\(chatDomain)/\(nick)", "type": "unavailable"]))
                    try await client.roundTrip(with: "busy")
                    try await client.join("busy", as: nick)
                default:
                    client.say("busy", step % 50 == 0 ? "Observer, a question for you (\(step))" : "message number \(step) in a busy room")
                    _ = try await client.heard(in: "busy")
                }
            }
            // Whatever the server still holds comes before the answer to this ping.
            if inactive { observer.send(XMLElement("active", namespace: "urn:xmpp:csi:0")) }
            observer.send(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "id": "measure-end", "to": TestServer.domain],
                                     children: [.element(XMLElement("ping", namespace: NS.ping))]))
            try await counter.ended()
            result = counter.totals
        }
        return result
    }
}

/// Counts input after TLS and notices the ping answer that ends a measurement.
private final class ReadCounter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let state = Mutex((bytes: 0, reads: 0, tail: "", done: false))
    private let end = AsyncStream<Void>.makeStream()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        let finished = state.withLock { state -> Bool in
            state.bytes += buffer.readableBytes
            state.reads += 1
            let window = state.tail + text
            state.tail = String(window.suffix(32))
            guard !state.done, window.contains("measure-end") else { return false }
            state.done = true
            return true
        }
        if finished { end.continuation.yield() }
    }

    var totals: (bytes: Int, reads: Int) { state.withLock { ($0.bytes, $0.reads) } }

    func ended() async throws {
        for await _ in end.stream { return }
    }
}
