import Foundation
import PersistentChat
import XMPPCore

/// iq to the room: discovery (XEP-0030/0128), member and owner lists (muc#admin), configuration
/// and destruction (muc#owner), kicks, pings and XEP-0410 self-pings.
extension MUCRoom {
    func iq(_ stanza: Stanza, from: JID) {
        guard stanza.type == "get" || stanza.type == "set", let payload = stanza.element.elements.first else { return }
        let user = from.bare.description
        switch (stanza.type, payload.namespace, payload.name) {
        case ("get", NS.ping, "ping"):
            answer(stanza, nil)
        case ("get", NS.discoInfo, "query"):
            discoInfo(stanza, user: user)
        case ("get", NS.discoItems, "query"):
            discoItems(stanza, user: user, from: from)
        case (_, MUC.admin, "query"):
            admin(stanza, query: payload, user: user)
        case (_, MAM.ns, "query"):
            archiveQuery(stanza, query: payload, user: user)
        case ("get", MAM.ns, "metadata"):
            archiveMetadata(stanza, user: user)
        case ("set", Moderation.ns, "moderate"):
            moderate(stanza, request: ModerationRequest(current: payload), user: user)
        case ("set", Moderation.fasten, "apply-to") where payload.child("moderate", namespace: Moderation.legacyNS) != nil:
            moderate(stanza, request: ModerationRequest(legacy: payload), user: user)
        case ("get", MUC.owner, "query"):
            configurationForm(stanza, user: user)
        case ("set", MUC.owner, "query"):
            if let destroy = payload.child("destroy", namespace: MUC.owner) {
                self.destroy(stanza, reason: destroy.child("reason", namespace: MUC.owner)?.text, user: user)
            } else {
                configure(stanza, form: payload.child("x", namespace: DataForm.namespace).flatMap(DataForm.init), user: user)
            }
        default:
            bounce(stanza, StanzaError(.serviceUnavailable))
        }
    }

    // MARK: Discovery

    private func discoInfo(_ stanza: Stanza, user: String) {
        guard let (room, context) = current, context.directory.access(of: user, to: room).canSeeDetails else {
            return bounce(stanza, StanzaError(.itemNotFound, text: "There is no such room."))
        }
        var query = XMLElement("query", namespace: NS.discoInfo)
        query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "conference", "type": "text", "name": room.name]))
        var features = [MUC.ns, NS.discoInfo, NS.discoItems, NS.ping, "muc_persistent", "muc_nonanonymous", "muc_unsecured",
                        MUC.stanzaID, MUC.stableID, MUC.selfPingOptimization, Moderation.ns, Moderation.retract,
                        Moderation.legacyNS]
        features += roomFeatures.flatMap { $0.discoFeatures(context) }
        for feature in features {
            query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": feature]))
        }
        var fields = [DataForm.Field("muc#roominfo_occupants", label: "Occupants", values: ["\(occupants.count)"])]
        fields += roomFeatures.flatMap { $0.infoFields(context) }
        let url = context.directory.settings.roomManagementURL
        if !url.isEmpty { fields.append(DataForm.Field("\(MUC.salon)#room_management_url", label: "Room management", values: [url])) }
        query.append(DataForm(type: .result, formType: MUC.roomInfo, fields: fields).element)
        answer(stanza, query)
    }

    /// The occupants, for anyone allowed in (ParticipantUpdateLimit keeps this on request).
    private func discoItems(_ stanza: Stanza, user: String, from: JID) {
        guard let (room, context) = current else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let access = context.directory.access(of: user, to: room)
        guard access.canSeeDetails else { return bounce(stanza, StanzaError(.itemNotFound)) }
        var query = XMLElement("query", namespace: NS.discoItems)
        if access.maySeeOccupants(asOccupant: nicks[from] != nil) {
            for nick in occupants.keys.sorted() {
                query.append(XMLElement("item", namespace: NS.discoItems, attributes: ["jid": occupantJID(nick).description, "name": nick]))
            }
        }
        answer(stanza, query)
    }

    // MARK: muc#admin — affiliation lists and kicks

    private func admin(_ stanza: Stanza, query: XMLElement, user: String) {
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

    private func affiliationList(_ stanza: Stanza, affiliation: String, room: Room, context: RoomContext, access: RoomAccess) {
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

    // MARK: muc#owner — configuration and destruction

    private func configurationForm(_ stanza: Stanza, user: String) {
        let directory = host.directory
        let room: Room
        if let existing = current?.room {
            guard allows(stanza, { try directory.access(of: user, to: existing).checkMayConfigure() }) else { return }
            room = existing
        } else if creator == user {
            room = draft(directory: directory, user: user)
        } else {
            return bounce(stanza, StanzaError(.itemNotFound))
        }
        let context = RoomContext(room: room, category: directory.category(named: room.category), directory: directory, jid: jid)
        let fields = roomFeatures.flatMap { $0.configFields(context) }
        var query = XMLElement("query", namespace: MUC.owner)
        query.append(DataForm(type: .form, formType: MUC.roomConfig, title: "Configuration of \(room.name)",
                              instructions: "Persistent-chat room settings. The category decides who may be in it.", fields: fields).element)
        answer(stanza, query)
    }

    /// A new room's starting point: named after its address, in the category PersistentChat
    /// starts it in (or none yet).
    private func draft(directory: ChatDirectory, user: String) -> Room {
        Room(localpart: localpart, name: localpart, category: directory.startingCategory(forRoomBy: user))
    }

    private func configure(_ stanza: Stanza, form: DataForm?, user: String) {
        let directory = host.directory
        if let form, form.type == .cancel {
            if creator == user, current == nil { removeEveryoneForCancel() }
            return answer(stanza, nil)
        }
        let isNew = current == nil
        guard !isNew || creator == user else { return bounce(stanza, StanzaError(.itemNotFound)) }
        var room = current?.room ?? draft(directory: directory, user: user)
        do throws(ChatRuleError) {
            if let form, form.type == .submit {
                try roomEdit(from: form, shown: room, directory: directory).apply(to: &room, in: directory)
            }
        } catch {
            return bounce(stanza, StanzaError.refusal(error))
        }
        if isNew, room.category.isEmpty {
            return bounce(stanza, StanzaError(.notAcceptable, text: "Choose the room's category (\(MUC.salon)#category)."))
        }
        let actor = ChatActor.user(user)
        let host = host
        let configured = room
        let localpart = localpart
        awaiting({
            try await host.perform { (directory: inout ChatDirectory) throws(ChatRuleError) -> Room? in
                if isNew {
                    return try directory.createRoomByJoining(configured, by: user)
                } else {
                    _ = try directory.updateRoom(localpart, by: actor) { room in room = configured }
                    return nil
                }
            }
        }) { [self] result in
            switch result {
            case .success(let created):
                if let created {
                    environment.logger.notice("room created by join", metadata: [
                        "account": "\(user)", "room": "\(localpart)", "category": "\(created.category)",
                        "privacy": "\(created.privacy.rawValue)",
                    ])
                    // Unlocked (XEP-0045 §10.1): the creator, now manager and member, stays.
                    creator = nil
                    directoryChanged()
                }
                answer(stanza, nil)
            case .failure(let error):
                bounce(stanza, StanzaError.refusal(error))
            }
        }
    }

    private func removeEveryoneForCancel() {
        for nick in Array(occupants.keys) { remove(nick, statuses: [], reason: "The room was not created.") }
        creator = nil
    }

    private func destroy(_ stanza: Stanza, reason: String?, user: String) {
        guard current != nil else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let actor = ChatActor.user(user)
        let host = host
        let chat = environment.chat
        let localpart = localpart
        awaiting({
            try await host.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.removeRoom(localpart, by: actor)
            }
            try await chat.deleteMessages(room: localpart)
        }) { [self] result in
            switch result {
            case .success:
                history = RoomHistory(capacity: history.capacity)
                directoryChanged()
                answer(stanza, nil)
            case .failure(let error):
                bounce(stanza, StanzaError.refusal(error))
            }
        }
    }
}
