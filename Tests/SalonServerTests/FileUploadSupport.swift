import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import XMPPCore

let uploadNS = "urn:xmpp:http:upload:0"
let uploadDomain = "upload.\(TestServer.domain)"

/// A slot the service granted: its URLs as the client got them, and their request targets.
struct GrantedSlot {
    let put: String
    let get: String
    var putTarget: String { HTTPTestClient.target(put) }
    var getTarget: String { HTTPTestClient.target(get) }
    /// The slot id: the first path segment after /files/.
    var id: String { String(getTarget.split(separator: "/")[1]) }
}

extension XMPPClient {
    /// Asks the upload service for a slot; returns the answer (result or error).
    func slotRequest(filename: String, size: Int, type: String? = "text/plain") async throws -> XMLElement {
        var attributes = ["filename": filename, "size": "\(size)"]
        if let type { attributes["content-type"] = type }
        return try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": uploadDomain],
                                            children: [.element(XMLElement("request", namespace: uploadNS, attributes: attributes))]))
    }

    /// A slot that must be granted.
    func slot(filename: String, size: Int, type: String = "text/plain") async throws -> GrantedSlot {
        let answer = try await slotRequest(filename: filename, size: size, type: type)
        guard let slot = answer.child("slot", namespace: uploadNS),
              let put = slot.child("put", namespace: uploadNS)?[attribute: "url"],
              let get = slot.child("get", namespace: uploadNS)?[attribute: "url"] else {
            throw ClientError("no slot: \(answer)")
        }
        return GrantedSlot(put: put, get: get)
    }

    /// Posts a groupchat message carrying `url` as body and XEP-0066 out-of-band data.
    func share(_ url: String, in room: String) {
        var message = message(to: "\(room)@\(chatDomain)", body: url, type: "groupchat")
        message.append(XMLElement("x", namespace: "jabber:x:oob", children: [.element(textElement("url", namespace: "jabber:x:oob", url))]))
        send(message)
    }
}

extension TestServer {
    var httpPort: Int { ports.http! }

    /// Uploads `content` to a granted slot.
    func put(_ slot: GrantedSlot, _ content: [UInt8], type: String = "text/plain") async throws -> HTTPTestResponse {
        try await HTTPTestClient.request(port: httpPort, "PUT", slot.putTarget, headers: ["Content-Type": type], body: content)
    }

    func get(_ target: String, headers: [String: String] = [:], method: String = "GET") async throws -> HTTPTestResponse {
        try await HTTPTestClient.request(port: httpPort, method, target, headers: headers)
    }

    /// A file uploaded by `client`: slot, PUT (201).
    func upload(_ content: String, as filename: String = "notes.txt", by client: XMPPClient) async throws -> GrantedSlot {
        let slot = try await client.slot(filename: filename, size: content.utf8.count)
        let put = try await put(slot, Array(content.utf8))
        guard put.status == 201 else { throw ClientError("PUT answered \(put.status): \(put.text)") }
        return slot
    }
}

/// A category whose rooms accept files (FileUpload on), in the served domain's scope.
func filesCategory(_ name: String = "Eng", files: Bool = true) -> PersistentChat.Category {
    var category = openCategory(name)
    category.fileUpload = files
    return category
}
