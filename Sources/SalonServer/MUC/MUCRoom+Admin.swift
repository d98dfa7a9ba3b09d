import Foundation
import PersistentChat
import XMPPCore

/// muc#admin (XEP-0045 §9, §10): affiliation lists shown and edited under PersistentChat's
/// rules (`Rules/RoomLists.swift`), kicks, and voice changes by role.
extension MUCRoom {
    func admin(_ stanza: Stanza, query: XMLElement, user: String) {
        guard let (room, context) = current else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let access = context.directory.access(of: user, to: room)
        guard access.canSeeDetails else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let items = query.children("item", namespace: MUC.admin)
        if stanza.type == "get" {
            guard let affiliation = items.first?[attribute: "affiliation"] else { return bounce(stanza, StanzaError(.badRequest)) }
            return affiliationList(stanza, affiliation: affiliation, room: room, context: context, access: access)
        }
        guard allows(stanza, { try access.checkMayChangeLists() }) else { return }
        var kicks: [(String, String?)] = []
        var changes: [(principal: Principal, affiliation: RoomAffiliation)] = []
        var voices: [(nick: String, change: VoiceChange)] = []
        var asksForAdministrator = false
        for item in items {
            if item[attribute: "role"] == "none", let nick = item[attribute: "nick"] {
                kicks.append((nick, item.child("reason", namespace: MUC.admin)?.text))
            } else if let role = item[attribute: "role"], role == "participant" || role == "visitor", let nick = item[attribute: "nick"] {
                voices.append((nick, role == "participant" ? .grant : .revoke))
            } else if let name = item[attribute: "affiliation"], let target = item[attribute: "jid"] {
                let principal: Principal
                do throws(ChatRuleError) {
                    principal = try Principal(target)
                } catch {
                    return bounce(stanza, StanzaError(.jidMalformed, text: error.message))
                }
                // "admin" is refused below; "none" (or any other word) takes the principal off every list.
                if name == "admin" { asksForAdministrator = true } else { changes.append((principal, Self.affiliations[name] ?? RoomAffiliation.none)) }
            } else if item[attribute: "role"] != nil {
                return bounce(stanza, StanzaError(refusal: ChatDirectory.moderatorsAreManagers))
            } else {
                return bounce(stanza, StanzaError(.badRequest))
            }
        }
        for (nick, _) in kicks where occupants[nick] == nil {
            return bounce(stanza, StanzaError(.itemNotFound, text: "Nobody in the room is called \(nick)."))
        }
        if asksForAdministrator {
            return bounce(stanza, StanzaError(refusal: ChatDirectory.noRoomAdministrators))
        }
        if !voices.isEmpty {
            guard kicks.isEmpty, changes.isEmpty else {
                return bounce(stanza, StanzaError(.badRequest, text: "Change voices in a request of their own."))
            }
            return changeVoices(voices, by: user) { [self] error in
                if let error { bounce(stanza, error) } else { answer(stanza, nil) }
            }
        }
        for (nick, reason) in kicks {
            remove(nick, statuses: [.kicked], reason: reason)
        }
        guard !changes.isEmpty else { return answer(stanza, nil) }
        let requested = changes
        let localpart = localpart
        let actor = ChatActor.user(user)
        let host = host
        awaiting({
            try await host.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                _ = try directory.setAffiliations(requested, in: localpart, by: actor)
            }
        }) { [self] result in
            switch result {
            case .success: answer(stanza, nil)
            case .failure(let error): bounce(stanza, StanzaError.refusal(error))
            }
        }
    }

    /// The XEP-0045 affiliations that name one of the room's lists (admin names none: there are
    /// no room administrators).
    static let affiliations: [String: RoomAffiliation] = ["owner": .manager, "member": .member, "outcast": .outcast]

    func affiliationList(_ stanza: Stanza, affiliation: String, room: Room, context: RoomContext, access: RoomAccess) {
        let principals: [Principal]
        if affiliation == "admin" {
            principals = []
        } else if let list = Self.affiliations[affiliation] {
            do throws(ChatRuleError) {
                principals = try context.directory.principals(with: list, in: room, seenBy: access)
            } catch {
                return bounce(stanza, StanzaError(refusal: error))
            }
        } else {
            return bounce(stanza, StanzaError(.badRequest))
        }
        var query = XMLElement("query", namespace: MUC.admin)
        for principal in principals {
            var attributes = ["affiliation": affiliation]
            if case .group = principal { attributes["principal"] = principal.description } else { attributes["jid"] = principal.description }
            query.append(XMLElement("item", namespace: MUC.admin, attributes: attributes))
        }
        answer(stanza, query)
    }
}
