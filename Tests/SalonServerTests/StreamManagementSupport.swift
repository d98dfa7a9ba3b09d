import Foundation
import SalonClient
@testable import SalonServer
import XMPPCore

let smNS = "urn:xmpp:sm:3"

extension XMPPClient {
    /// Sends `<enable/>` and returns the answer (`<enabled/>` or `<failed/>`).
    @discardableResult
    func enableStreamManagement(resume: Bool = true, max: Int? = nil, answersRequests: Bool = true) async throws -> XMLElement {
        streamManagement.setAnswersRequests(answersRequests)
        var attributes = resume ? ["resume": "true"] : [:]
        if let max { attributes["max"] = "\(max)" }
        send(XMLElement("enable", namespace: smNS, attributes: attributes))
        return try await expect { $0.namespace == smNS && ($0.name == "enabled" || $0.name == "failed") }
    }

    /// Drops the connection without closing the stream, as a lost network would.
    func dropConnection() async {
        try? await channel.close()
        _ = try? await expectEnd(timeout: .seconds(2))
    }

    /// Acknowledges `h` stanzas.
    func acknowledge(_ h: UInt32) {
        send(XMLElement("a", namespace: smNS, attributes: ["h": "\(h)"]))
    }

    /// The server's `<a/>` to a `<r/>`: how many of this client's stanzas it handled.
    func serverHandled() async throws -> UInt32 {
        send(XMLElement("r", namespace: smNS))
        let answer = try await expect { $0.namespace == smNS && $0.name == "a" }
        guard let h = answer[attribute: "h"].flatMap(UInt32.init) else { throw ClientError("<a/> without h") }
        return h
    }

    /// The stream error that ends this stream, as the element.
    func streamError() async throws -> XMLElement {
        try await expect { $0.namespace == NS.streams && $0.name == "error" }
    }

    var groupchatBodies: [String] {
        unclaimed.filter { $0.name == "message" && $0[attribute: "type"] == "groupchat" }
            .compactMap { $0.child("body", namespace: NS.client)?.text }
    }
}

extension TestServer {
    /// A new connection for `name` that authenticates and asks to resume `previd` with `h`;
    /// returns the client and the server's answer (`<resumed/>` or `<failed/>`).
    func resume(_ name: String, previd: String, h: UInt32, password: String? = nil) async throws -> (XMPPClient, XMLElement) {
        let client = try await XMPPClient.open(options())
        let features = try await client.secureStream()
        try await client.authenticate(features: features, username: name, password: password ?? "pw-\(name)")
        let after = try await client.openStream()
        guard after.child("sm", namespace: smNS) != nil else { throw ClientError("no <sm/> feature") }
        client.streamManagement.prepareResumption(from: h)
        client.send(XMLElement("resume", namespace: smNS, attributes: ["previd": previd, "h": "\(h)"]))
        let answer = try await client.expect { $0.namespace == smNS && ($0.name == "resumed" || $0.name == "failed") }
        return (client, answer)
    }
}

/// The stanza error condition inside `<failed/>`.
func failedCondition(_ failed: XMLElement) -> String? {
    failed.elements.first { $0.namespace == NS.stanzaErrors && $0.name != "text" }?.name
}
