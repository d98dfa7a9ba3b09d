import Foundation
import Logging
import SalonStore
import Synchronization
import XMPPCore

/// Which of this server's uploads a room message carries, and tying them to it. A file is
/// recognised by its URL (`<base>/files/<slot>/…`) in a XEP-0066 `x:oob` URL, in the body, or in
/// a XEP-0447 source (`url-data` target); other servers' URLs are not Salon's business.
final class UploadLinks: Sendable {
    static let oob = "jabber:x:oob"
    static let urlData = "http://jabber.org/protocol/url-data"
    /// More file references than this in one message are not looked for.
    static let maxPerMessage = 16
    private let prefix = Mutex<String?>(nil)
    let store: any FileStore
    let logger: Logger

    init(store: any FileStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Set when the HTTP server listens (nil: no upload service, nothing to recognise).
    func listening(at baseURL: String) {
        prefix.withLock { $0 = baseURL + "/files/" }
    }

    /// Slot ids of this server's uploads referenced by `message`, each once, in order.
    func fileIDs(in message: XMLElement) -> [String] {
        guard let prefix = prefix.withLock({ $0 }) else { return [] }
        var texts: [String] = []
        if let body = message.child("body", namespace: NS.client) { texts.append(body.text) }
        collect(message, into: &texts, depth: 0)
        var ids: [String] = []
        for text in texts {
            var rest = text[...]
            while ids.count < Self.maxPerMessage, let found = rest.range(of: prefix) {
                let id = String(rest[found.upperBound...].prefix(32))
                if UploadedFiles.isSlotID(id), !ids.contains(id) { ids.append(id) }
                rest = rest[found.upperBound...]
            }
        }
        return ids
    }

    /// OOB URLs and url-data targets anywhere in the message (XEP-0447 nests them).
    private func collect(_ element: XMLElement, into texts: inout [String], depth: Int) {
        guard depth < 8 else { return }
        for child in element.elements {
            if child.namespace == Self.oob, child.name == "x", let url = child.child("url", namespace: Self.oob) {
                texts.append(url.text)
            } else if child.namespace == Self.urlData, child.name == "url-data", let target = child[attribute: "target"] {
                texts.append(target)
            } else {
                collect(child, into: &texts, depth: depth + 1)
            }
        }
    }

    /// Ties files to a posted message that is not archived (an archived one ties them in its
    /// own commit).
    func claim(_ ids: [String], room: String, stanzaID: String) {
        // Most posts carry no file: no task for them.
        guard !ids.isEmpty else { return }
        let (store, logger) = (store, logger)
        Task {
            do {
                try await store.claim(ids, room: room, stanzaID: stanzaID, at: Date())
            } catch {
                logger.storageFailure("cannot record a posted file", error, metadata: ["room": "\(room)"])
            }
        }
    }
}
