import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// XEP-0479 (Compliance Suites 2023): what Advanced IM Server, Advanced Group Chat and Advanced
/// Mobile Server require is advertised where clients look (docs/COMPLIANCE.md).
@Suite("Compliance Suites 2023 (XEP-0479) advertisements")
struct ComplianceDiscoveryTests {
    let domain = TestServer.domain

    private func info(_ client: XMPPClient, _ to: String, node: String? = nil) async throws -> XMLElement {
        let query = XMLElement("query", namespace: NS.discoInfo, attributes: node.map { ["node": $0] } ?? [:])
        let reply = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": to],
                                                        children: [.element(query)]))
        return try #require(reply.child("query", namespace: NS.discoInfo), "no disco#info from \(to)")
    }

    private func features(_ query: XMLElement) -> Set<String> {
        Set(query.children("feature", namespace: NS.discoInfo).compactMap { $0[attribute: "var"] })
    }

    private func identities(_ query: XMLElement) -> Set<String> {
        Set(query.children("identity", namespace: NS.discoInfo).map { "\($0[attribute: "category"] ?? "")/\($0[attribute: "type"] ?? "")" })
    }

    @Test("Server, account, chat service, room and stream features advertise every requirement built so far")
    func advertisements() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.createCategory(openCategory(), by: .system)
                _ = try d.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Eng", privacy: .open), by: .system)
            }

            // Stream features after authentication: CSI (XEP-0352), stream management
            // (XEP-0198), roster versioning, and the server's own entity capabilities (XEP-0115 §6.3).
            let client = try await XMPPClient.open(server.options())
            let before = try await client.secureStream()
            try await client.authenticate(features: before, username: "alice", password: "pw-alice")
            let streamFeatures = try await client.openStream()
            #expect(streamFeatures.child("csi", namespace: "urn:xmpp:csi:0") != nil)
            #expect(streamFeatures.child("sm", namespace: "urn:xmpp:sm:3") != nil)
            #expect(streamFeatures.child("ver", namespace: "urn:xmpp:features:rosterver") != nil)
            let caps = try #require(streamFeatures.child("c", namespace: "http://jabber.org/protocol/caps"))
            try await client.bindResource(features: streamFeatures)

            // Server disco#info (XEP-0030): carbons, blocking, vCard, private storage, PEP for older clients.
            let serverInfo = try await info(client, domain)
            #expect(identities(serverInfo).isSuperset(of: ["server/im", "pubsub/pep"]))
            #expect(features(serverInfo).isSuperset(of: [
                NS.discoInfo, NS.discoItems, NS.ping, "urn:xmpp:carbons:2", "urn:xmpp:blocking", "vcard-temp", "jabber:iq:private",
                "http://jabber.org/protocol/pubsub#publish-options",
            ]))
            // The advertised capabilities hash to what disco#info says, and the node answers (XEP-0115 §5, §6.2).
            #expect(caps[attribute: "hash"] == "sha-1")
            #expect(caps[attribute: "ver"] == CapsCache.verificationHash(serverInfo, .sha1))
            let capsInfo = try await info(client, domain, node: "\(caps[attribute: "node"]!)#\(caps[attribute: "ver"]!)")
            #expect(features(capsInfo) == features(serverInfo))

            // Account disco#info: PEP (XEP-0163) with publish-options (XEP-0223, OMEMO), bookmarks
            // conversion (XEP-0402 #compat), push (XEP-0357), vCard.
            let account = try await info(client, "alice@\(domain)")
            #expect(identities(account).isSuperset(of: ["account/registered", "pubsub/pep"]))
            #expect(features(account).isSuperset(of: [
                "urn:xmpp:push:0", "urn:xmpp:bookmarks:1#compat", "urn:xmpp:bookmarks:1#compat-pep", "vcard-temp",
                "urn:xmpp:mam:2", "urn:xmpp:mam:2#extended", "urn:xmpp:sid:0",
                "http://jabber.org/protocol/pubsub#publish-options", "http://jabber.org/protocol/pubsub#access-whitelist",
                "http://jabber.org/protocol/pubsub#persistent-items",
            ]))

            // The chat service is a disco item of the server (XEP-0045 §6.1) with MUC and its archive (XEP-0313).
            let items = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": domain],
                                                            children: [.element(XMLElement("query", namespace: NS.discoItems))]))
            let jids = items.child("query", namespace: NS.discoItems)?.children("item", namespace: NS.discoItems).compactMap { $0[attribute: "jid"] }
            #expect(jids?.contains(chatDomain) == true)
            let service = try await info(client, chatDomain)
            #expect(identities(service).contains("conference/text"))
            #expect(features(service).isSuperset(of: ["http://jabber.org/protocol/muc", "urn:xmpp:mam:2"]))

            // The upload service (XEP-0363 §2) is a disco item too, with its largest file in a form.
            #expect(jids?.contains("upload.\(domain)") == true)
            let upload = try await info(client, "upload.\(domain)")
            #expect(identities(upload).contains("store/file"))
            #expect(features(upload).contains("urn:xmpp:http:upload:0"))
            #expect(upload.children("x", namespace: DataForm.namespace).compactMap(DataForm.init)
                .contains { $0.formType == "urn:xmpp:http:upload:0" && $0.values("max-file-size").first.flatMap(Int.init) != nil })

            // A room: MUC, its archive, stable ids and self-ping (XEP-0410).
            let room = try await info(client, "lobby@\(chatDomain)")
            #expect(features(room).isSuperset(of: [
                "http://jabber.org/protocol/muc", "urn:xmpp:mam:2", "urn:xmpp:sid:0",
                "http://jabber.org/protocol/muc#self-ping-optimization",
            ]))
            await client.close()
        }
    }
}
