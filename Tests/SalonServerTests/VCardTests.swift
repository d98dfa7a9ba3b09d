import Foundation
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

private let vCardNS = "vcard-temp"

private let updateNS = "vcard-temp:x:update"

/// The XEP-0153 photo hash a presence carries, if any.
private func photo(_ presence: XMLElement) -> String? {
    presence.child("x", namespace: updateNS)?.child("photo", namespace: updateNS)?.text
}

private func vCard(fullName: String, photo: String? = nil) -> XMLElement {
    var card = XMLElement("vCard", namespace: vCardNS, children: [.element(XMLElement("FN", namespace: vCardNS, children: [.text(fullName)]))])
    if let photo {
        card.append(XMLElement("PHOTO", namespace: vCardNS, children: [
            .element(XMLElement("TYPE", namespace: vCardNS, children: [.text("image/png")])),
            .element(XMLElement("BINVAL", namespace: vCardNS, children: [.text(photo)])),
        ]))
    }
    return card
}

@Suite("vCard (XEP-0054) over the wire")
struct VCardTests {
    let domain = TestServer.domain

    @Test("An account sets its vCard and anyone reads it at the bare JID; only the owner writes it")
    func setAndGet() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            let info = try await bob.query("alice@\(domain)", NS.discoInfo)
            #expect(info.child("query", namespace: NS.discoInfo)?.elements.contains { $0[attribute: "var"] == vCardNS } == true)

            let empty = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get"],
                                                           children: [.element(XMLElement("vCard", namespace: vCardNS))]))
            #expect(empty[attribute: "type"] == "result")
            #expect(empty.child("vCard", namespace: vCardNS)?.elements.isEmpty == true)

            let set = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                                         children: [.element(vCard(fullName: "Alice Liddell", photo: "aGVsbG8="))]))
            #expect(set[attribute: "type"] == "result")

            let own = try await alice.query("alice@\(domain)", vCardNS, name: "vCard")
            #expect(own.child("vCard", namespace: vCardNS)?.child("FN", namespace: vCardNS)?.text == "Alice Liddell")
            let read = try await bob.query("alice@\(domain)", vCardNS, name: "vCard")
            #expect(read[attribute: "from"] == "alice@\(domain)")
            #expect(read.child("vCard", namespace: vCardNS)?.child("FN", namespace: vCardNS)?.text == "Alice Liddell")
            #expect(try await server.database.vCards.vCard(owner: "alice@\(domain)")?.photoHash == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")

            let forged = try await bob.query("alice@\(domain)", vCardNS, type: "set", [XMLElement("FN", namespace: vCardNS, children: [.text("Mallory")])], name: "vCard")
            #expect(errorCondition(forged) == "forbidden")
            let ghost = try await bob.query("ghost@\(domain)", vCardNS, name: "vCard")
            #expect(errorCondition(ghost) == "service-unavailable")
        }
    }

    @Test("A vCard over the size limit is refused and the old one kept")
    func sizeLimit() async throws {
        try await withServer(configure: { $0.limits.maxVCardBytes = 2048 }) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            _ = try await alice.query("alice@\(domain)", vCardNS, type: "set", [XMLElement("FN", namespace: vCardNS, children: [.text("Alice")])], name: "vCard")
            let big = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                                         children: [.element(vCard(fullName: "Alice", photo: String(repeating: "A", count: 4096)))]))
            #expect(errorCondition(big) == "not-acceptable")
            let kept = try await alice.query("alice@\(domain)", vCardNS, name: "vCard")
            #expect(kept.child("vCard", namespace: vCardNS)?.child("FN", namespace: vCardNS)?.text == "Alice")
            #expect(kept.child("vCard", namespace: vCardNS)?.child("PHOTO", namespace: vCardNS) == nil)
        }
    }

    @Test("Presence carries the vCard photo's hash (XEP-0153), sent again when the photo changes")
    func photoHashInPresence() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            try await alice.befriend(bob)

            _ = try await alice.query("alice@\(domain)", vCardNS, type: "set", [XMLElement("FN", namespace: vCardNS, children: [.text("Alice")])], name: "vCard")
            let noPhoto = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == alice.jid.description && photo($0) != nil }
            #expect(photo(noPhoto) == "")

            let set = try await alice.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"],
                                                         children: [.element(vCard(fullName: "Alice", photo: "aGVsbG8="))]))
            #expect(set[attribute: "type"] == "result")
            let hash = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == alice.jid.description && photo($0) == hash }

            // A later session's presence carries it without the client saying so…
            let phone = try await server.online("alice", resource: "phone")
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == phone.jid.description && photo($0) == hash }
            // …and a client's own element is left as it is.
            var own = XMLElement("x", namespace: updateNS)
            own.append(XMLElement("photo", namespace: updateNS, children: [.text("0123")]))
            phone.send(XMLElement("presence", namespace: NS.client, children: [.element(own)]))
            _ = try await bob.expect { $0.name == "presence" && $0[attribute: "from"] == phone.jid.description && photo($0) == "0123" }
        }
    }

    @Test("A blocked reader gets service-unavailable")
    func blockedReader() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            try await alice.blocking("block", ["bob@\(domain)"])
            await alice.close()
            let bob = try await server.online("bob")
            let read = try await bob.query("alice@\(domain)", vCardNS, name: "vCard")
            #expect(errorCondition(read) == "service-unavailable")
        }
    }
}
