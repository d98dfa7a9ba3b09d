@testable import SalonServer
import Testing
import XMPPCore

/// What an inactive client is sent at once (XEP-0352), without a socket.
@Suite("Client state: what waits and what goes")
struct ClientStateUrgencyTests {
    private func parse(_ xml: String) throws -> XMLElement {
        try XMLStreamParser.parseStanza(xml, namespace: NS.client)
    }

    private let nicks = ["room@chat.x": "Alice"]

    @Test("Disposition by stanza", arguments: [
        ("<iq type='get' id='1'/>", "now"),
        ("<message type='error' from='b@x'/>", "now"),
        ("<message type='chat' from='b@x'><body>hi</body></message>", "now"),
        ("<message type='headline' from='x'><body>news</body></message>", "now"),
        ("<message type='chat' from='b@x'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>", "hold"),
        ("<message from='b@x'><received xmlns='urn:xmpp:receipts' id='1'/></message>", "hold"),
        ("<message from='b@x'><x xmlns='jabber:x:conference' jid='r@chat.x'/></message>", "now"),
        ("<message from='b@x'><result xmlns='urn:xmpp:mam:2' queryid='q' id='1'/></message>", "now"),
        ("<message type='groupchat' from='room@chat.x/Bob'><body>small talk</body></message>", "hold"),
        ("<message type='groupchat' from='room@chat.x/Bob'><body>hey ALICE</body></message>", "now"),
        ("<message type='groupchat' from='room@chat.x/Alice'><body>Alice here</body></message>", "hold"),
        ("<message type='groupchat' from='other@chat.x/Bob'><body>small talk</body></message>", "now"),
        ("<message type='chat' from='a@x'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat'><body>copy</body></message></forwarded></received></message>", "now"),
        ("<message type='chat' from='a@x'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat'><active xmlns='http://jabber.org/protocol/chatstates'/></message></forwarded></sent></message>", "hold"),
        ("<presence from='b@x/r'/>", "latest b@x/r"),
        ("<presence from='b@x/r' type='unavailable'/>", "latest b@x/r"),
        ("<presence from='b@x' type='subscribe'/>", "now"),
        ("<presence from='room@chat.x/Alice'><x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/></x></presence>", "latest room@chat.x/Alice"),
        ("<presence from='room@chat.x/Alice' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><status code='307'/><status code='110'/></x></presence>", "now"),
    ])
    func disposition(xml: String, expected: String) throws {
        let got: String = switch ClientStateUrgency.disposition(of: try parse(xml), roomNicks: nicks) {
        case .now: "now"
        case .hold: "hold"
        case .holdLatest(let sender): "latest \(sender)"
        }
        #expect(got == expected)
    }

    @Test("A newer presence replaces the held one and moves behind what came between; gaps are compacted")
    func collapse() {
        let state = ClientState(limits: ClientStateLimits(maxHeldStanzas: 10_000, maxHeldBytes: 1 << 20))
        state.hold(Array("b1".utf8), presenceOf: "b")
        state.hold(Array("m".utf8))
        state.hold(Array("c1".utf8), presenceOf: "c")
        for round in 2...500 { state.hold(Array("b\(round)".utf8), presenceOf: "b") }
        #expect(state.heldCount == 3)
        let stanzas = state.takeHeld()
        #expect(stanzas.map { String(decoding: $0, as: UTF8.self) } == ["m", "c1", "b500"])
        #expect(state.heldCount == 0 && state.heldBytes == 0)
    }

    @Test("The stream follows the user's nickname through self-presences")
    func nicknames() throws {
        let state = ClientState(limits: ClientStateLimits(maxHeldStanzas: 10, maxHeldBytes: 1024))
        let muc = "http://jabber.org/protocol/muc#user"
        state.notePresence(try parse("<presence from='r@c/Al'><x xmlns='\(muc)'><status code='110'/></x></presence>"))
        #expect(state.roomNicks == ["r@c": "Al"])
        state.notePresence(try parse("<presence from='r@c/Bo'><x xmlns='\(muc)'/></presence>"))
        #expect(state.roomNicks == ["r@c": "Al"])
        state.notePresence(try parse("<presence from='r@c/Al' type='unavailable'><x xmlns='\(muc)'><item nick='Ali'/><status code='303'/><status code='110'/></x></presence>"))
        #expect(state.roomNicks == ["r@c": "Ali"])
        state.notePresence(try parse("<presence from='r@c/Ali' type='unavailable'><x xmlns='\(muc)'><status code='110'/></x></presence>"))
        #expect(state.roomNicks.isEmpty)
    }
}
