import Foundation
import PersistentChat
import SalonStore
import XMPPCore

enum Moderation {
    static let ns = "urn:xmpp:message-moderate:1"
    static let retract = "urn:xmpp:message-retract:1"
}

/// XEP-0425: an administrator removes one message. The archive keeps a tombstone, occupants get
/// the retraction, and the join history forgets the message.
extension MUCRoom {
    func moderate(_ stanza: Stanza, request: XMLElement, user: String) {
        guard current != nil else { return bounce(stanza, StanzaError(.itemNotFound)) }
        guard service.directory.isAdministrator(user) else {
            return bounce(stanza, StanzaError(.forbidden, text: "Only persistent-chat administrators remove messages."))
        }
        guard let id = request[attribute: "id"], request.child("retract", namespace: Moderation.retract) != nil else {
            return bounce(stanza, StanzaError(.badRequest, text: "Name the message (id) and ask to retract it."))
        }
        let reason = request.child("reason", namespace: Moderation.ns)?.text
        let moderator = nicks.first(where: { $0.key.bare.description == user })?.value
        let by = moderator.map { occupantJID($0).description } ?? jid.description
        let archive = service.database.archive
        let room = localpart
        let tombstone = tombstoneStanza(id: id, by: by, reason: reason)
        awaiting({ try await archive.retract(room: room, stanzaID: id, tombstone: tombstone.serialized(parentNamespace: NS.client)) }) { [self] result in
            switch result {
            case .success(nil):
                bounce(stanza, StanzaError(.itemNotFound, text: "There is no message \(id) in this room."))
            case .success(let original?):
                var retraction = XMLElement("retract", namespace: Moderation.retract, attributes: ["id": id])
                var moderated = XMLElement("moderated", namespace: Moderation.ns, attributes: ["by": by])
                moderated.append(XMLElement("occupant-id", namespace: MUC.occupantID, attributes: ["id": original.occupantID]))
                retraction.append(moderated)
                if let reason { retraction.append(.text("reason", namespace: Moderation.retract, reason)) }
                let message = XMLElement("message", namespace: NS.client, attributes: [
                    "type": "groupchat", "from": jid.description, "id": UUID().uuidString,
                ], children: [.element(retraction)])
                broadcast { recipient in
                    var copy = message
                    copy[attribute: "to"] = recipient.description
                    return copy
                }
                reloadHistory()
                answer(stanza, nil)
            case .failure(let error):
                bounce(stanza, MAMResponder.stanzaError(error))
            }
        }
    }

    /// What the archive keeps in place of a moderated message.
    private func tombstoneStanza(id: String, by: String, reason: String?) -> XMLElement {
        var retracted = XMLElement("retracted", namespace: Moderation.retract, attributes: ["stamp": Timestamp.now()])
        retracted.append(XMLElement("moderated", namespace: Moderation.ns, attributes: ["by": by]))
        if let reason { retracted.append(.text("reason", namespace: Moderation.retract, reason)) }
        return XMLElement("message", namespace: NS.client, attributes: ["type": "groupchat", "from": jid.description], children: [
            .element(retracted),
            .element(XMLElement("stanza-id", namespace: MUC.stanzaID, attributes: ["id": id, "by": jid.description])),
        ])
    }

    /// Reloads the join history from the archive (on activation, and after messages were
    /// changed or removed).
    func reloadHistory(then done: @escaping () -> Void = {}) {
        let archive = service.database.archive
        let room = localpart
        let limit = history.capacity
        awaiting({ try await archive.query(Self.lastPage(room: room, limit: limit)) }) { [self] result in
            defer { done() }
            guard case .success(let page) = result else { return }
            var fresh = RoomHistory(capacity: limit)
            for message in page.messages where !message.retracted {
                if let element = try? XMLStreamParser.parseStanza(message.stanza, namespace: NS.client) {
                    fresh.append(element, characters: message.stanza.unicodeScalars.count, at: message.timestamp)
                }
            }
            history = fresh
        }
    }

    static func lastPage(room: String, limit: Int) -> ArchiveQuery {
        var query = ArchiveQuery(rooms: [room])
        query.max = limit
        query.before = ""
        query.includeRetracted = false
        return query
    }
}
