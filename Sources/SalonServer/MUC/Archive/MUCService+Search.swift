import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// Search across rooms (design §8): XEP-0313 on the service JID covers every room the user may
/// read, with the persistent-chat options (all/any/exact keywords, case, several authors).
/// Each result is a room message, so its `from` names its room.
extension MUCService {
    func search(_ stanza: Stanza, query element: XMLElement, user: String) {
        let directory = self.directory
        do throws(ChatRuleError) {
            try directory.checkMaySearch(user)
        } catch {
            return router.bounce(stanza, StanzaError(refusal: error))
        }
        if stanza.type == "get" {
            var query = XMLElement("query", namespace: MAM.ns)
            query.append(MAMRequest.fieldsForm(searchFields: true).element)
            return answer(stanza, query)
        }
        let rooms = directory.searchableRooms(for: user)
        let request: MAMRequest
        do { request = try MAMRequest(element, rooms: rooms, searchFields: true) } catch { return router.bounce(stanza, error) }
        let responder = MAMResponder(router: router, archiveJID: domain)
        let archive = database.archive
        let router = router
        let compliance = environment.compliance
        Task {
            do {
                // A search covering no room is still a search: journaled, answered empty.
                let page = rooms.isEmpty ? ArchivePage(messages: [], complete: true, count: 0, first: nil, last: nil)
                    : try await archive.query(request.query)
                try await compliance.recordBackchat(request.query, source: "search", room: "", user: user,
                                                    session: stanza.element[attribute: "from"] ?? user, results: page.messages.count)
                responder.respond(to: stanza, request: request, page: page)
            } catch {
                router.bounce(stanza, MAMResponder.stanzaError(error))
            }
        }
    }
}
