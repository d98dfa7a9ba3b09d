import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// XEP-0313 on the room JID: the room's archive for those who may read it (design §3: members
/// of Closed/Secret rooms, anyone in scope for Open ones; nobody when disabled or when a feature
/// closes it: `HistoryFeature` where the category keeps no history).
extension MUCRoom {
    /// Why `user` may not read the archive, or nil when they may.
    func archiveRefusal(_ user: String) -> StanzaError? {
        guard let (room, context) = current else { return StanzaError(.itemNotFound, text: "There is no such room.") }
        let access = context.directory.access(of: user, to: room)
        guard access.canSeeDetails else { return StanzaError(.itemNotFound, text: "There is no such room.") }
        do throws(ChatRuleError) {
            for feature in roomFeatures { try feature.checkArchiveRead(context) }
        } catch {
            return StanzaError(refusal: error)
        }
        guard access.canRead else { return StanzaError(.forbidden, text: "Only members may read this room's history.") }
        return nil
    }

    func archiveQuery(_ stanza: Stanza, query element: XMLElement, user: String) {
        if let refusal = archiveRefusal(user) { return bounce(stanza, refusal) }
        if stanza.type == "get" {
            var query = XMLElement("query", namespace: MAM.ns)
            query.append(MAMRequest.fieldsForm(searchFields: false).element)
            return answer(stanza, query)
        }
        let request: MAMRequest
        do { request = try MAMRequest(element, rooms: [localpart], searchFields: false) } catch { return bounce(stanza, error) }
        let output = environment.output
        let responder = MAMResponder(router: output.router, archiveJID: jid.description)
        let archive = environment.archive
        let (compliance, room) = (environment.compliance, localpart)
        Task {
            do {
                let page = try await archive.query(request.query)
                try await compliance.recordBackchat(request.query, source: "mam", room: room, user: user,
                                                    session: stanza.element[attribute: "from"] ?? user, results: page.messages.count)
                responder.respond(to: stanza, request: request, page: page)
            } catch {
                output.bounce(stanza, MAMResponder.stanzaError(error))
            }
        }
    }

    /// The first and last archived ids (XEP-0313 §6.2 metadata).
    func archiveMetadata(_ stanza: Stanza, user: String) {
        if let refusal = archiveRefusal(user) { return bounce(stanza, refusal) }
        let archive = environment.archive
        let room = localpart
        let output = environment.output
        Task {
            do {
                let (first, last) = try await archive.bounds(room: room)
                output.answer(stanza, MAMResponder.metadata(first: first, last: last))
            } catch {
                output.bounce(stanza, MAMResponder.stanzaError(error))
            }
        }
    }
}
