import Foundation
import SalonAdmin
@testable import SalonServer
import Testing
import XMPPCore

/// Node link frames read back, the proof of the secret, and the secret file's checks.
@Suite struct NodeLinkFrameTests {
    private func parse(_ xml: String) throws -> NodeLinkFrame {
        let events = try XMLStreamParser().feed(Array("<stream:stream xmlns:stream='\(NS.streams)' xmlns='\(NodeLinkNamespace.cluster)'>\(xml)".utf8))
        guard case .stanza(let element)? = events.last else { throw XMLStreamError(.badFormat, text: "no element") }
        return try NodeLinkFrame(element)
    }

    @Test func framesReadBackAsWritten() throws {
        let route = NodeLinkFrame.route(RoutedStanza(to: try JID("bob@example.com/phone"), from: try JID("alice@example.com"),
                                                     stanza: linkMessage("hi")))
        let fanout = NodeLinkFrame.fanout(FanoutStanza(recipients: [1, 42, 7],
                                                       stanza: linkMessage("all")))
        let ended = NodeLinkFrame.ended(EndedSession(jid: try JID("a@example.com/1"), serial: 5))
        let relayed = NodeLinkFrame.route(RoutedStanza(to: try JID("bob@example.com/phone"), from: try JID("alice@example.com/pc"),
                                                       stanza: linkMessage("archived"), deliverOnly: true))
        let bound = NodeLinkFrame.session(SessionState(jid: try JID("a@example.com/1"), serial: 3, sequence: 7, presence: nil))
        let available = NodeLinkFrame.session(SessionState(jid: try JID("a@example.com/1"), serial: 3, sequence: 8,
                                                           presence: XMLElement("presence", namespace: NS.client), carbons: true))
        let component = NodeLinkFrame.component(ComponentPresence(domain: "bot.example.com", connected: true))
        let componentGone = NodeLinkFrame.component(ComponentPresence(domain: "bot.example.com", connected: false))
        for frame in [route, fanout, ended, relayed, bound, available, component, componentGone] {
            let read = try parse(frame.element.serialized(parentNamespace: NodeLinkNamespace.cluster))
            #expect(read.element.serialized() == frame.element.serialized())
            #expect(read == frame)
        }
    }

    @Test func fanoutSerialsAreListedInDecimal() {
        let serials: [UInt64] = [0, 7, 10, 1_234_567, UInt64.max]
        #expect(SerialList.text(serials) == "0 7 10 1234567 18446744073709551615")
        #expect(SerialList.serials(SerialList.text(serials)) == serials)
        #expect(SerialList.text([]) == "")
        let many = (1...500).map { UInt64($0) * 7_919 }
        #expect(SerialList.serials(SerialList.text(many)) == many)
        #expect(SerialList.serials(many.map(String.init).joined(separator: " ")) == many)
    }

    @Test func aFanoutFrameMadeFromARoomsSplicedBytesReadsAsTheStanzaItself() throws {
        var message = linkMessage("all <of> you & 'me'")
        message[attribute: "to"] = nil
        message[attribute: "type"] = "groupchat"
        message.append(XMLElement("stanza-id", namespace: "urn:xmpp:sid:0", attributes: ["id": "x&y", "by": "room@chat.example.com"]))
        let spliced = SplicedStanza(message, parentNamespace: NS.client)
        let bytes = FanoutStanza.frame(recipients: [3, 99, 12_345], spliced: spliced)
        let read = try parse(String(decoding: bytes, as: UTF8.self))
        #expect(read == .fanout(FanoutStanza(recipients: [3, 99, 12_345], stanza: message)))
        // The same bytes as the frame serialised from its element.
        let element = NodeLinkFrame.fanout(FanoutStanza(recipients: [3, 99, 12_345], stanza: message)).element
        #expect(bytes == Array(element.serialized(parentNamespace: NodeLinkNamespace.cluster).utf8))
    }

    @Test func resumptionFramesReadBackAsWritten() throws {
        let message = linkMessage("kept <for> you & me")
        var bytes: [UInt8] = []
        linkMessage("room traffic").serialize(into: &bytes, parentNamespace: NS.client)
        let frames: [ResumptionFrame] = [
            .request(ResumeRequest(request: 9, id: "abc123", account: try JID("kim@example.com"), serial: 77)),
            .moving(MovingSession(request: 9, jid: try JID("kim@example.com/phone"), presence: XMLElement("presence", namespace: NS.client),
                                  priority: -3, directedTo: [try JID("room@chat.example.com/Kim")], carbons: true, blocklistPushes: true)),
            .moving(MovingSession(request: 9, jid: try JID("kim@example.com/phone"), presence: nil, priority: 0, directedTo: [],
                                  carbons: false, blocklistPushes: false)),
            .moved(MovedStreamState(request: 9, handled: 12, sent: 30, acked: 28, resumeTimeout: 300, queued: [
                .init(bytes: bytes, element: nil),
            ])),
            .refused(ResumeRefusal(request: 9, h: 4)),
            .refused(ResumeRefusal(request: 9, h: nil)),
        ]
        for frame in frames {
            let read = try parse(NodeLinkFrame.resumption(frame).element.serialized(parentNamespace: NodeLinkNamespace.cluster))
            #expect(read == .resumption(frame))
        }
        // A queued stanza that may need an answer travels as itself, and its bytes are made again.
        var answerable: [UInt8] = []
        message.serialize(into: &answerable, parentNamespace: NS.client)
        let moved = ResumptionFrame.moved(MovedStreamState(request: 1, handled: 0, sent: 1, acked: 0, resumeTimeout: 60,
                                                           queued: [.init(bytes: answerable, element: message)]))
        #expect(try parse(NodeLinkFrame.resumption(moved).element.serialized(parentNamespace: NodeLinkNamespace.cluster)) == .resumption(moved))
    }

    @Test(arguments: [
        "<route to='bob@example.com'><message xmlns='jabber:client'/></route>",
        "<route to='@@' from='a@example.com'><message xmlns='jabber:client'/></route>",
        "<route to='b@example.com' from='a@example.com'/>",
        "<route to='b@example.com' from='a@example.com'><message xmlns='jabber:client'/><message xmlns='jabber:client'/></route>",
        "<route to='b@example.com' from='a@example.com'><message xmlns='jabber:server'/></route>",
        "<fanout><message xmlns='jabber:client'/></fanout>",
        "<resume id='x' account='a@example.com' serial='1'/>",
        "<component domain='bot.example.com'/>",
        "<component domain='a@bot.example.com' connected='true'/>",
        "<resume request='1' id='x' account='a@example.com/r' serial='1'/>",
        "<moving request='1' jid='a@example.com' priority='0'/>",
        "<moving request='1' jid='a@example.com/r' priority='0'><message xmlns='jabber:client'/></moving>",
        "<moved request='1' handled='0' sent='0' acked='0' timeout='0'/>",
        "<moved request='1' handled='0' sent='0' acked='0' timeout='60'><queued><x xmlns='other'/></queued></moved>",
        "<fanout to='1 x'><message xmlns='jabber:client'/></fanout>",
        "<fanout to='1  2'><message xmlns='jabber:client'/></fanout>",
        "<fanout to=' 1'><message xmlns='jabber:client'/></fanout>",
        "<fanout to='1 '><message xmlns='jabber:client'/></fanout>",
        "<fanout to='-1'><message xmlns='jabber:client'/></fanout>",
        "<fanout to='18446744073709551616'><message xmlns='jabber:client'/></fanout>",
        "<fanout to=''><message xmlns='jabber:client'/></fanout>",
        "<fanout to='1'/>",
        "<ended/>",
        "<session jid='a@example.com/1' serial='1'/>",
        "<session jid='a@example.com' serial='1' seq='1'/>",
        "<session jid='a@example.com/1' serial='1' seq='1'><message xmlns='jabber:client'/></session>",
        "<ended jid='a@example.com'/>",
        "<handshake/>",
    ])
    func malformedFramesAreRefused(xml: String) {
        #expect(throws: XMLStreamError.self) { try parse(xml) }
    }

    @Test func eachProofIsBoundToItsSideNoncesAndSession() {
        let secret = ClusterSecret(Array("s".utf8))
        let n1 = [UInt8](repeating: 1, count: 32), n2 = [UInt8](repeating: 2, count: 32), binding: [UInt8] = [9, 9]
        let proof = NodeLinkProof.make(secret: secret, side: .dialer, node: "a", dialerNonce: n1, listenerNonce: n2, binding: binding)
        #expect(NodeLinkProof.verify(proof, secret: secret, side: .dialer, node: "a", dialerNonce: n1, listenerNonce: n2, binding: binding))
        #expect(!NodeLinkProof.verify(proof, secret: secret, side: .listener, node: "a", dialerNonce: n1, listenerNonce: n2, binding: binding))
        #expect(!NodeLinkProof.verify(proof, secret: secret, side: .dialer, node: "b", dialerNonce: n1, listenerNonce: n2, binding: binding))
        #expect(!NodeLinkProof.verify(proof, secret: secret, side: .dialer, node: "a", dialerNonce: n2, listenerNonce: n1, binding: binding))
        #expect(!NodeLinkProof.verify(proof, secret: secret, side: .dialer, node: "a", dialerNonce: n1, listenerNonce: n2, binding: [9]))
        #expect(!NodeLinkProof.verify(proof, secret: ClusterSecret(Array("t".utf8)), side: .dialer, node: "a", dialerNonce: n1,
                                      listenerNonce: n2, binding: binding))
    }

    @Test func theSecretFileIsRefusedWhenMissingEmptyOrWorldReadable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("salon-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ text: String, mode: Int) throws -> String {
            let path = directory.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            return path
        }
        for (path, reason) in [(directory.appendingPathComponent("none").path, "missing"),
                               (try file("empty", " \n", mode: 0o600), "empty"),
                               (try file("open", "s3cret", mode: 0o644), "world-readable")] {
            let error = #expect(throws: ClusterConfigurationError.self) { try ClusterSecret.load(path: path) }
            #expect(error?.description.contains("cluster.secret_file") == true)
            #expect(error?.description.contains(reason) == true)
        }
        let secret = try ClusterSecret.load(path: try file("good", "s3cret\n", mode: 0o600))
        #expect(secret.bytes == Array("s3cret".utf8))
    }
}
