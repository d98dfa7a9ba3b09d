import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// XEP-0425: an administrator (anywhere) or a manager (in their room) removes one message. The
/// archive keeps a tombstone naming the moderator, occupants get the retraction, and the join
/// history forgets the message.
extension MUCRoom {
    func moderate(_ stanza: Stanza, request: ModerationRequest?, user: String) {
        guard let (room, context) = current else { return bounce(stanza, StanzaError(.itemNotFound)) }
        do {
            try context.directory.checkMayModerate(user, in: room)
        } catch {
            environment.logger.notice("moderation refused", metadata: ["actor": "\(user)", "room": "\(localpart)", "cause": "\(error.message)"])
            return bounce(stanza, StanzaError.refusal(error))
        }
        guard let request else {
            return bounce(stanza, StanzaError(.badRequest, text: "Name the message (id) and ask to retract it."))
        }
        let moderator = nicks.first(where: { $0.key.bare.description == user })?.value
        let by = moderator.map { occupantJID($0).description } ?? jid.description
        let moderatorID = moderator.flatMap { occupants[$0]?.occupantID }
        let archive = environment.archive
        let roomName = localpart
        let tombstone = ModerationNotice.tombstone(room: jid, id: request.id, actor: user, moderatorID: moderatorID, reason: request.reason)
        awaiting({ try await archive.retract(room: roomName, stanzaID: request.id, tombstone: tombstone.serialized(parentNamespace: NS.client)) }) { [self] result in
            switch result {
            case .success(nil):
                bounce(stanza, StanzaError(.itemNotFound, text: "There is no message \(request.id) in this room."))
            case .success(let original?):
                environment.logger.notice("message moderated", metadata: [
                    "actor": "\(user)", "room": "\(localpart)", "id": "\(request.id)", "author": "\(original.senderJID)",
                    "cause": "\(request.reason ?? "")",
                ])
                let message = ModerationNotice.message(room: jid, id: request.id, by: by, moderatorID: moderatorID, reason: request.reason)
                broadcast(from: jid) { recipient in
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

    /// Reloads the join history from the archive (on activation, and after messages were
    /// changed or removed).
    func reloadHistory(then done: @escaping () -> Void = {}) {
        let archive = environment.archive
        let room = localpart
        let limit = history.capacity
        environment.metrics.historyCacheMisses.increment()
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
