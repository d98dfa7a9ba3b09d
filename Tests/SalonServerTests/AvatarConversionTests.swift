import PersistentChat
import SalonAdmin
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// A 1×1 PNG and its SHA-1: the XEP-0084 item id and the XEP-0153 hash.
let tinyPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
let tinyPNGHash = "c7a9c45fd419815a5ab1998503a9f03514c0e229"

private let vCardNS = "vcard-temp"
private let updateNS = "vcard-temp:x:update"
private let dataNS = "urn:xmpp:avatar:data"
private let metadataNS = "urn:xmpp:avatar:metadata"

private func photo(_ presence: XMLElement) -> String? {
    presence.child("x", namespace: updateNS)?.child("photo", namespace: updateNS)?.text
}

private func card(_ fullName: String, photo: String? = nil) -> XMLElement {
    var card = XMLElement("vCard", namespace: vCardNS, children: [.element(textElement("FN", namespace: vCardNS, fullName))])
    if let photo {
        card.append(XMLElement("PHOTO", namespace: vCardNS, children: [
            .element(textElement("TYPE", namespace: vCardNS, "image/png")), .element(textElement("BINVAL", namespace: vCardNS, photo)),
        ]))
    }
    return card
}

private func metadata(_ id: String?) -> XMLElement {
    var metadata = XMLElement("metadata", namespace: metadataNS)
    if let id { metadata.append(XMLElement("info", namespace: metadataNS, attributes: ["id": id, "bytes": "70", "type": "image/png"])) }
    return metadata
}

private func photoValue(_ vCardAnswer: XMLElement) -> String? {
    vCardAnswer.child("vCard", namespace: vCardNS)?.child("PHOTO", namespace: vCardNS)?.child("BINVAL", namespace: vCardNS)?.text
}

@Suite("Avatar conversion (XEP-0398) over the wire")
struct AvatarConversionTests {
    let domain = TestServer.domain

    @Test("A PEP avatar in an open node becomes the vCard photo and the presence hash; empty metadata removes both")
    func pepToVCard() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            try await server.befriend("alice", "bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let info = try await bob.query("alice@\(domain)", NS.discoInfo)
            #expect(info.child("query", namespace: NS.discoInfo)?.elements.contains { $0[attribute: "var"] == "urn:xmpp:pep-vcard-conversion:0" } == true)
            _ = try await alice.query("alice@\(domain)", vCardNS, type: "set", [textElement("FN", namespace: vCardNS, "Alice")], name: "vCard")

            let data = try await alice.request(PubSubWire.publish(node: dataNS, id: tinyPNGHash, payload: textElement("data", namespace: dataNS, tinyPNG),
                                                                  options: ["pubsub#access_model": "open"]))
            #expect(data[attribute: "type"] == "result")
            let meta = try await alice.request(PubSubWire.publish(node: metadataNS, id: tinyPNGHash, payload: metadata(tinyPNGHash),
                                                                  options: ["pubsub#access_model": "open"]))
            #expect(meta[attribute: "type"] == "result")
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == alice.jid.description && photo($0) == tinyPNGHash }
            let read = try await bob.query("alice@\(domain)", vCardNS, name: "vCard")
            #expect(photoValue(read) == tinyPNG)
            #expect(read.child("vCard", namespace: vCardNS)?.child("FN", namespace: vCardNS)?.text == "Alice")
            #expect(try await server.database.vCards.vCard(owner: "alice@\(domain)")?.photoHash == tinyPNGHash)

            let off = try await alice.request(PubSubWire.publish(node: metadataNS, id: "current", payload: metadata(nil)))
            #expect(off[attribute: "type"] == "result")
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == alice.jid.description && photo($0) == "" }
            let cleared = try await bob.query("alice@\(domain)", vCardNS, name: "vCard")
            #expect(photoValue(cleared) == nil)
            #expect(cleared.child("vCard", namespace: vCardNS)?.child("FN", namespace: vCardNS)?.text == "Alice")
        }
    }

    @Test("An avatar in a presence-only node, or whose data does not hash to its id, is not copied to the vCard")
    func notCopied() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            _ = try await alice.request(PubSubWire.publish(node: dataNS, id: tinyPNGHash, payload: textElement("data", namespace: dataNS, tinyPNG)))
            let meta = try await alice.request(PubSubWire.publish(node: metadataNS, id: tinyPNGHash, payload: metadata(tinyPNGHash)))
            #expect(meta[attribute: "type"] == "result")
            #expect(try await server.database.vCards.vCard(owner: "alice@\(domain)") == nil)

            let wrong = String(repeating: "0", count: 40)
            _ = try await alice.request(PubSubWire.publish(node: dataNS, id: wrong, payload: textElement("data", namespace: dataNS, tinyPNG),
                                                           options: ["pubsub#access_model": "open"]))
            // The node exists with the presence model: the open option is a failed precondition.
            let owner = try await alice.request(PubSubWire.ownerRequest("set", "configure", node: dataNS, form: DataForm(
                type: .submit, formType: "http://jabber.org/protocol/pubsub#node_config", fields: [DataForm.Field("pubsub#access_model", values: ["open"])])))
            #expect(owner[attribute: "type"] == "result")
            _ = try await alice.request(PubSubWire.publish(node: dataNS, id: wrong, payload: textElement("data", namespace: dataNS, tinyPNG)))
            let mismatched = try await alice.request(PubSubWire.publish(node: metadataNS, id: wrong, payload: metadata(wrong)))
            #expect(mismatched[attribute: "type"] == "result")
            #expect(try await server.database.vCards.vCard(owner: "alice@\(domain)") == nil)
        }
    }

    @Test("A vCard photo is published as the PEP avatar (data, then metadata with size); a vCard without one publishes empty metadata")
    func vCardToPEP() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            try await server.befriend("alice", "bob")
            let alice = try await server.online("alice")
            let bob = try await server.onlineWithInterest("bob", nodes: [metadataNS])

            let set = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                                         children: [.element(card("Alice", photo: tinyPNG))]))
            #expect(set[attribute: "type"] == "result")
            let event = try await bob.expect { PubSubWire.isEvent($0, node: metadataNS) }
            #expect(PubSubWire.itemIDs(event) == [tinyPNGHash])
            let info = event.child("event", namespace: PubSubWire.event)?.child("items", namespace: PubSubWire.event)?
                .child("item", namespace: PubSubWire.event)?.child("metadata", namespace: metadataNS)?.child("info", namespace: metadataNS)
            #expect(info?[attribute: "id"] == tinyPNGHash)
            #expect(info?[attribute: "bytes"] == "70")
            #expect(info?[attribute: "type"] == "image/png")
            #expect(info?[attribute: "width"] == "1" && info?[attribute: "height"] == "1")
            let data = try await bob.request(PubSubWire.items(node: dataNS, to: "alice@\(domain)"))
            let item = data.child("pubsub", namespace: PubSubWire.ns)?.child("items", namespace: PubSubWire.ns)?.child("item", namespace: PubSubWire.ns)
            #expect(item?[attribute: "id"] == tinyPNGHash)
            #expect(item?.child("data", namespace: dataNS)?.text == tinyPNG)
            // The copy came from the server: the vCard is as alice set it, not rewritten.
            let own = try await alice.query("alice@\(domain)", vCardNS, name: "vCard")
            #expect(photoValue(own) == tinyPNG)

            _ = try await alice.query("alice@\(domain)", vCardNS, type: "set", [textElement("FN", namespace: vCardNS, "Alice")], name: "vCard")
            let off = try await bob.expect { PubSubWire.isEvent($0, node: metadataNS) }
            let emptied = off.child("event", namespace: PubSubWire.event)?.child("items", namespace: PubSubWire.event)?
                .child("item", namespace: PubSubWire.event)?.child("metadata", namespace: metadataNS)
            #expect(emptied != nil && emptied?.elements.isEmpty == true)
        }
    }

    @Test("Presence directed to a room carries the server's photo hash (XEP-0398 §5)")
    func directedPresence() async throws {
        try await withServer { server async throws in
            let (alice, bob) = try await server.aliceAndBob(in: PersistentChat.Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open))
            _ = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"], children: [.element(card("Alice", photo: tinyPNG))]))
            try await alice.join("lobby", as: "Alice")
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == "lobby@\(chatDomain)/Alice" && photo($0) == tinyPNGHash }
        }
    }

    @Test("Retracting the metadata item takes the photo out; an avatar too large for the vCard limit is left in PEP only")
    func retractAndLimit() async throws {
        let log = LogCapture()
        try await withServer(log: log, configure: { $0.limits.maxVCardBytes = 2048 }) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let open = ["pubsub#access_model": "open"]
            _ = try await alice.request(PubSubWire.publish(node: dataNS, id: tinyPNGHash, payload: textElement("data", namespace: dataNS, tinyPNG),
                                                           options: open))
            _ = try await alice.request(PubSubWire.publish(node: metadataNS, id: tinyPNGHash, payload: metadata(tinyPNGHash), options: open))
            #expect(try await server.database.vCards.vCard(owner: "alice@\(domain)")?.photoHash == tinyPNGHash)
            let retracted = try await alice.request(PubSubWire.retract(node: metadataNS, id: tinyPNGHash))
            #expect(retracted[attribute: "type"] == "result")
            #expect(try await server.database.vCards.vCard(owner: "alice@\(domain)")?.photoHash == nil)

            let big = try #require(AvatarImage(bytes: (0 ..< 3000).map { UInt8($0 % 251) }, type: "image/png"))
            _ = try await alice.request(PubSubWire.publish(node: dataNS, id: big.hash, payload: big.data))
            let published = try await alice.request(PubSubWire.publish(node: metadataNS, id: big.hash, payload: big.metadata))
            #expect(published[attribute: "type"] == "result")
            #expect(try await server.database.vCards.vCard(owner: "alice@\(domain)")?.photoHash == nil)
            #expect(log.lines("avatar not copied to vcard: too large").count == 1)
        }
    }
}
