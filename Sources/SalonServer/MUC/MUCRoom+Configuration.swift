import Foundation
import PersistentChat
import XMPPCore

/// muc#owner configuration (XEP-0045 §10.2): the form, its submission through one `RoomEdit`,
/// and the end of a room created by join (configured, or cancelled).
extension MUCRoom {
    func configurationForm(_ stanza: Stanza, user: String) {
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
    func draft(directory: ChatDirectory, user: String) -> Room {
        Room(localpart: localpart, name: localpart, category: directory.startingCategory(forRoomBy: user))
    }

    func configure(_ stanza: Stanza, form: DataForm?, user: String) {
        let directory = host.directory
        if let form, form.type == .cancel {
            if creator == user, current == nil { removeEveryoneForCancel() }
            return answer(stanza, nil)
        }
        let isNew = current == nil
        guard !isNew || creator == user else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let before = current?.room
        var room = before ?? draft(directory: directory, user: user)
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
                } else if configured != before {
                    // XEP-0045 §10.2.1: occupants learn the configuration changed (not for a form
                    // submitted unchanged).
                    announceConfigurationChange()
                }
                answer(stanza, nil)
            case .failure(let error):
                bounce(stanza, StanzaError.refusal(error))
            }
        }
    }

    func removeEveryoneForCancel() {
        for nick in Array(occupants.keys) { remove(nick, statuses: [], reason: "The room was not created.") }
        creator = nil
    }
}
