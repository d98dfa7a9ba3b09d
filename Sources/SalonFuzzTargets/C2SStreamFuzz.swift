import NIOCore
import SalonClient
import XMPPCore

/// A whole client stream after authentication. The input is read as the content of a
/// `jabber:client` stream; the complete top-level elements it holds (at most
/// `maxStanzas`) are sent, in order, by a freshly logged-in client of the in-process server,
/// followed by a ping to the server and a disco#info query to a room. The server must not
/// crash, and must answer both unless it closed the stream over what came before: no answer
/// within the timeout is a hang. Byte-level hostility is the xml-stream target's; this one
/// reaches rooms, ad-hoc commands, MAM, PEP and the rest of the stanza handlers.
enum C2SStreamFuzz {
    static let maxStanzas = 32
    /// Long enough for a loaded machine under AddressSanitizer; only a hang takes this long.
    static let answerTimeout: Duration = .seconds(30)

    static func run(_ data: [UInt8]) {
        let stanzas = self.stanzas(in: data)
        guard !stanzas.isEmpty else { return }
        let server = C2SFuzzServer.shared
        let outcome = blocking { () async throws -> Void in
            var options = XMPPClient.Options(port: server.port, domain: C2SFuzzServer.domain, security: .plain)
            options.timeout = answerTimeout
            let client = try await XMPPClient.connect(options, username: C2SFuzzServer.username, password: C2SFuzzServer.password)
            defer { _ = client.channel.close(mode: .all) }
            for stanza in stanzas { client.send(stanza) }
            do {
                _ = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": C2SFuzzServer.domain],
                                                        children: [.element(XMLElement("ping", namespace: NS.ping))]))
                _ = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": "lobby@\(C2SFuzzServer.chatDomain)"],
                                                        children: [.element(XMLElement("query", namespace: "http://jabber.org/protocol/disco#info"))]))
            } catch let error as ClientError where error.description.hasPrefix("connection ended") {
                // The server closed the stream over something it was sent: an answer, not a hang.
            }
        }
        if case .failure(let error) = outcome {
            fatalError("the server did not answer after the fuzzed stanzas: \(error)")
        }
    }

    /// The complete top-level elements of `data` read as a client stream's content.
    static func stanzas(in data: [UInt8]) -> [XMLElement] {
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        let header = Array(XMLStreamHeader(contentNamespace: NS.client).openingTag.utf8)
        // The elements completed before an error are still sent.
        (header + data).withUnsafeBytes { buffer in
            try? parser.feed(buffer, into: &events)
        }
        return events.compactMap { event in
            if case .stanza(let element) = event { return element } else { return nil }
        }.prefix(maxStanzas).map { $0 }
    }
}
